using System.Globalization;
using System.Text.Json;

namespace Classifier.Core.Options;

/// <summary>
/// The type of an option's value: how it is read from the command line and from a JSON options file, written back
/// and shown in help. Every reader refuses what the type cannot hold (a word for a number, NaN, infinities, a number
/// out of range) with a message that names the option and the value, so a bad value stops before anything is made.
/// </summary>
public abstract class OptionKind
{
    /// <summary>A whole number (<see cref="int"/>).</summary>
    public static readonly OptionKind Int = new IntegerKind(int.MinValue, int.MaxValue, v => (int)v);

    /// <summary>A whole number (<see cref="long"/>).</summary>
    public static readonly OptionKind Long = new IntegerKind(long.MinValue, long.MaxValue, v => v);

    /// <summary>A finite number (<see cref="double"/>).</summary>
    public static readonly OptionKind Double = new DoubleKind();

    /// <summary>An on/off switch (<see cref="bool"/>): given alone on the command line, true or false in JSON.</summary>
    public static readonly OptionKind Flag = new FlagKind();

    /// <summary>Text such as a path (<see cref="string"/>).</summary>
    public static readonly OptionKind Text = new TextKind();

    /// <summary>Two finite numbers LOW,HIGH (a <see cref="double"/> array of length 2; a JSON array of two numbers).</summary>
    public static readonly OptionKind Range = new RangeKind();

    /// <summary>One of <typeparamref name="T"/>'s values, spelled as <see cref="EnumValues"/> does.</summary>
    public static OptionKind Choice<T>() where T : struct, Enum => new ChoiceKind<T>();

    /// <summary>True for an on/off switch, which takes no value on the command line.</summary>
    public virtual bool IsFlag => false;

    /// <summary>The accepted spellings, for a choice; null otherwise.</summary>
    public virtual IReadOnlyList<string>? Choices => null;

    /// <summary>Placeholder shown in help when the option does not name its own.</summary>
    public abstract string Placeholder { get; }

    /// <summary>Reads <paramref name="text"/> given for <paramref name="what"/> (e.g. "--epochs"); throws <see cref="ClassifierException"/>.</summary>
    public abstract object Parse(string text, string what);

    /// <summary>Reads a JSON value given for <paramref name="what"/>; throws <see cref="ClassifierException"/>. JSON null is handled by the caller.</summary>
    public virtual object FromJson(JsonElement value, string what) =>
        value.ValueKind == JsonValueKind.String
            ? Parse(value.GetString()!, what)
            : throw new ClassifierException($"{what} needs {Expected}, got {Shorten(value.GetRawText())}.");

    /// <summary>Writes <paramref name="value"/> (never null) as JSON.</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, object value);

    /// <summary>The value as a user would type it.</summary>
    public virtual string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture)!;

    /// <summary>What a value must be, for messages ("a whole number").</summary>
    protected abstract string Expected { get; }

    /// <summary>Quotes <paramref name="text"/> for a message, cut to a readable length.</summary>
    public static string Shorten(string text) => text.Length <= 60 ? $"'{text}'" : $"'{text[..57]}...' ({text.Length:N0} characters)";

    private ClassifierException Refuse(string text, string what) => new($"{what} needs {Expected}, got {Shorten(text)}.");

    private sealed class IntegerKind(long min, long max, Func<long, object> box) : OptionKind
    {
        public override string Placeholder => "N";
        protected override string Expected => "a whole number";

        public override object Parse(string text, string what)
        {
            if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                return value >= min && value <= max
                    ? box(value)
                    : throw new ClassifierException($"{what} {Shorten(text)} is out of range; give a whole number from {min:N0} to {max:N0}.");
            if (System.Numerics.BigInteger.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                throw new ClassifierException($"{what} {Shorten(text)} is out of range; give a whole number from {min:N0} to {max:N0}.");
            throw Refuse(text, what);
        }

        public override object FromJson(JsonElement value, string what) =>
            value.ValueKind == JsonValueKind.Number ? Parse(value.GetRawText(), what) : base.FromJson(value, what);

        public override void WriteJson(Utf8JsonWriter writer, object value) => writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    private sealed class DoubleKind : OptionKind
    {
        public override string Placeholder => "X";
        protected override string Expected => "a finite number";

        public override object Parse(string text, string what) =>
            double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                ? value
                : throw Refuse(text, what);

        public override object FromJson(JsonElement value, string what) =>
            value.ValueKind == JsonValueKind.Number ? Parse(value.GetRawText(), what) : base.FromJson(value, what);

        public override void WriteJson(Utf8JsonWriter writer, object value) => writer.WriteNumberValue((double)value);

        public override string Format(object value) => ((double)value).ToString("R", CultureInfo.InvariantCulture);
    }

    private sealed class FlagKind : OptionKind
    {
        public override bool IsFlag => true;
        public override string Placeholder => "";
        protected override string Expected => "true or false";

        public override object Parse(string text, string what) =>
            bool.TryParse(text.Trim(), out var value) ? value : throw Refuse(text, what);

        public override object FromJson(JsonElement value, string what) =>
            value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => base.FromJson(value, what),
            };

        public override void WriteJson(Utf8JsonWriter writer, object value) => writer.WriteBooleanValue((bool)value);

        public override string Format(object value) => (bool)value ? "on" : "off";
    }

    private sealed class TextKind : OptionKind
    {
        public override string Placeholder => "TEXT";
        protected override string Expected => "text";

        public override object Parse(string text, string what) => text;

        public override void WriteJson(Utf8JsonWriter writer, object value) => writer.WriteStringValue((string)value);
    }

    private sealed class RangeKind : OptionKind
    {
        public override string Placeholder => "LOW,HIGH";
        protected override string Expected => "two finite numbers LOW,HIGH such as 0.8,1.2";

        public override object Parse(string text, string what)
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length == 2
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var low) && double.IsFinite(low)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var high) && double.IsFinite(high))
                return new[] { low, high };
            throw Refuse(text, what);
        }

        public override object FromJson(JsonElement value, string what)
        {
            if (value.ValueKind != JsonValueKind.Array) return base.FromJson(value, what);
            var items = value.EnumerateArray().ToList();
            if (items.Count == 2 && items.All(i => i.ValueKind == JsonValueKind.Number))
                return Parse($"{items[0].GetRawText()},{items[1].GetRawText()}", what);
            throw Refuse(value.GetRawText(), what);
        }

        public override void WriteJson(Utf8JsonWriter writer, object value)
        {
            writer.WriteStartArray();
            foreach (var v in (double[])value) writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }

        public override string Format(object value) =>
            string.Join(",", ((double[])value).Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
    }

    private sealed class ChoiceKind<T> : OptionKind where T : struct, Enum
    {
        private readonly string[] _names = EnumValues.Of<T>();

        public override IReadOnlyList<string> Choices => _names;
        public override string Placeholder => string.Join('|', _names);
        protected override string Expected => "one of " + string.Join(", ", _names);

        public override object Parse(string text, string what) =>
            _names.Contains(text.Trim(), StringComparer.Ordinal) ? EnumValues.Parse<T>(text.Trim()) : throw Refuse(text, what);

        public override void WriteJson(Utf8JsonWriter writer, object value) => writer.WriteStringValue(EnumValues.Name((T)value));

        public override string Format(object value) => EnumValues.Name((T)value);
    }
}
