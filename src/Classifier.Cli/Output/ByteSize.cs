using System.Globalization;

namespace Classifier.Cli.Output;

/// <summary>Sizes for people: binary units, three significant figures at most ("1.91 GiB", "533 MiB", "12.4 KiB").</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["bytes", "KiB", "MiB", "GiB", "TiB"];

    public static string Format(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        if (unit == 0) return $"{bytes:N0} bytes";
        var format = value >= 100 ? "F0" : value >= 10 ? "F1" : "F2";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
