namespace Classifier.Tests.Support;

/// <summary>A fact that holds only on Linux; elsewhere it is reported as skipped, with <paramref name="why"/>.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string why)
    {
        if (!OperatingSystem.IsLinux()) Skip = $"Linux only: {why}";
    }
}
