using System.Text.Json;

namespace Classifier.Core;

/// <summary>
/// Enum values as they are spelled on the command line, in options files and in the JSON and metadata the tool
/// writes: snake_case, lower case.
/// </summary>
public static class EnumValues
{
    /// <summary>The accepted spellings of <typeparamref name="T"/>'s values.</summary>
    public static string[] Of<T>() where T : struct, Enum =>
        Enum.GetNames<T>().Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToArray();

    /// <summary>The value spelled <paramref name="text"/> (already validated by the option's allowed values).</summary>
    public static T Parse<T>(string text) where T : struct, Enum =>
        Enum.GetValues<T>().First(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()) == text);

    /// <summary>The command-line spelling of <paramref name="value"/>.</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>The command-line spelling of <paramref name="value"/>, an enum value of a type known only at run time.</summary>
    public static string Name(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
