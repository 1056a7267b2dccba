using System.Reflection;

namespace Classifier.Core;

/// <summary>The version of classify, recorded in model files and printed by <c>--version</c>.</summary>
public static class ToolInfo
{
    /// <summary>Informational version of the Core assembly (the repository's Version property).</summary>
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
