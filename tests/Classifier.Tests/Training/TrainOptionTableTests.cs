using System.Reflection;
using System.Text.Json.Serialization;
using Classifier.Core;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Options;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

public sealed class TrainOptionTableTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A value unlike the default for each property type the options use.</summary>
    private static object OtherValue(Type type, object? current) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(int) => (int?)current == 7 ? 8 : 7,
            var t when t == typeof(long) => (long?)current == 7 ? 8L : 7L,
            var t when t == typeof(double) => (double?)current == 0.37 ? 0.38 : 0.37,
            var t when t == typeof(bool) => !((bool?)current ?? false),
            var t when t == typeof(string) => "changed",
            var t when t == typeof(double[]) => new[] { 0.5, 0.6 },
            var t when t.IsEnum => Enum.GetValues(t).Cast<object>().First(v => !v.Equals(current)),
            var t => throw new InvalidOperationException($"Teach this test a value of type {t} (and give the option an entry in TrainOptionTable)."),
        };

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties().Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    [Fact]
    public void EveryTrainOptionsProperty_IsReachedByOneEntryOfTheTable()
    {
        var defaults = new TrainOptions();
        var properties = Settable(typeof(TrainOptions)).Where(p => p.Name != nameof(TrainOptions.Augment))
            .Select(p => (Name: p.Name, Changed: With(new TrainOptions(), p, OtherValue(p.PropertyType, p.GetValue(defaults)))))
            .Concat(Settable(typeof(AugmentOptions)).Select(p => (Name: "Augment." + p.Name,
                Changed: new TrainOptions { Augment = With(new AugmentOptions(), p, OtherValue(p.PropertyType, p.GetValue(new AugmentOptions()))) })));

        foreach (var (name, changed) in properties)
        {
            var readers = TrainOptionTable.Stored.Where(e => !Equal(e.Get(defaults), e.Get(changed))).ToList();
            Assert.True(readers.Count == 1, $"TrainOptions.{name} is read by {readers.Count} table entries ({string.Join(", ", readers)}); give it exactly one.");
        }
    }

    private static T With<T>(T target, PropertyInfo property, object value)
    {
        property.SetValue(target, value);
        return target;
    }

    private static bool Equal(object? a, object? b) =>
        a is double[] x && b is double[] y ? x.SequenceEqual(y) : Equals(a, b);

    [Fact]
    public void Names_AndAliases_AreUnique_AndEveryEntryHasHelpEndingInAFullStop()
    {
        var names = TrainOptionTable.All.SelectMany(e => e.Aliases.Prepend(e.Flag)).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(TrainOptionTable.All, e => Assert.EndsWith(".", e.Help));
        Assert.Single(TrainOptionTable.All, e => e.IsArgument);
    }

    [Fact]
    public void EveryStoredEntry_SetsWhatItGets_AndSurvivesTheOptionsFile()
    {
        var defaults = new TrainOptions();
        foreach (var entry in TrainOptionTable.Stored)
        {
            var current = entry.Get(defaults);
            var value = entry.Kind.Choices is { } choices
                ? entry.Kind.Parse(choices.First(c => c != (current is null ? null : entry.Kind.Format(current))), entry.Flag)
                : entry.Kind == OptionKind.Range ? new[] { 0.5, 0.6 }
                : entry.Kind.IsFlag ? true
                : entry.Kind == OptionKind.Text ? "/some/where"
                : entry.Kind.Parse("3", entry.Flag);
            var changed = entry.Set(defaults with { DataDir = "/d" }, value);
            var back = TrainOptionsFile.Parse(TrainOptionsFile.ToText(changed), "test");

            Assert.True(Equal(value, entry.Get(back)), $"{entry.Flag}: wrote {value}, read back {entry.Get(back)}");
        }
    }

    [Fact]
    public void CheckResumable_AcceptsEpochs_AndNamesEveryOtherOption()
    {
        TrainOptionTable.CheckResumable([TrainOptionTable.Get("resume"), TrainOptionTable.Get("epochs"), TrainOptionTable.Get("log-format")]);

        var e = Assert.Throws<ClassifierException>(() =>
            TrainOptionTable.CheckResumable([TrainOptionTable.Get("epochs"), TrainOptionTable.Get("batch-size"), TrainOptionTable.Get("data")]));
        Assert.Contains("--batch-size", e.Message);
        Assert.Contains("DATA_DIR", e.Message);
        Assert.DoesNotContain("--epochs,", e.Message[e.Message.IndexOf("(not", StringComparison.Ordinal)..]);
    }

    [Theory]
    [InlineData(nameof(TrainOptions.MinDelta), "--min-delta")]
    [InlineData(nameof(TrainOptions.PlateauFactor), "--plateau-factor")]
    [InlineData(nameof(TrainOptions.ValidationSplit), "--validation-split")]
    public void Validate_RefusesNaNAndInfinitiesSetInCode_NamingTheOption(string property, string flag)
    {
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var options = new TrainOptions { DataDir = "x" };
            typeof(TrainOptions).GetProperty(property)!.SetValue(options, bad);
            var e = Assert.Throws<ClassifierException>(options.Validate);
            Assert.StartsWith(flag, e.Message);
        }
        var augmented = new TrainOptions { DataDir = "x", Augment = new AugmentOptions { Brightness = [0.5, double.NaN] } };
        Assert.Contains("--brightness-range", Assert.Throws<ClassifierException>(augmented.Validate).Message);
    }

    [Theory]
    [InlineData("""{ "min-delta": "NaN" }""", "\"min-delta\" needs a finite number, got 'NaN'")]
    [InlineData("""{ "zoom-range": "Infinity" }""", "\"zoom-range\" needs a finite number")]
    [InlineData("""{ "weight-decay": 1e999 }""", "\"weight-decay\" needs a finite number, got '1e999'")]
    [InlineData("""{ "brightness-range": [0.5, "NaN"] }""", "\"brightness-range\" needs two finite numbers")]
    [InlineData("""{ "epochs": 2.5 }""", "\"epochs\" needs a whole number, got '2.5'")]
    [InlineData("""{ "epochs": 1, "epochs": 2 }""", "gives \"epochs\" twice; keep one")]
    [InlineData("""{ "horizontal-flip": true, "augment": { "horizontal-flip": false } }""", "gives --horizontal-flip twice (as \"horizontal-flip\" and \"augment.horizontal-flip\")")]
    [InlineData("""{ "epochs": null }""", "\"epochs\" cannot be null")]
    [InlineData("""[1, 2]""", "must hold one JSON object")]
    public void ConfigFile_WithABadValueOrADuplicateKey_IsRefusedNamingTheFileAndKey(string json, string expected)
    {
        var path = _dir.Combine("config.json");
        File.WriteAllText(path, json);

        var e = Assert.Throws<ClassifierException>(() => TrainOptionsFile.Read(path));

        Assert.StartsWith($"Config file '{path}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AnOptionsFileOfAnEarlierVersion_WithAugmentationInsideAugment_IsStillRead()
    {
        var path = _dir.Combine("options.json");
        File.WriteAllText(path, """
            { "data": "/d", "epochs": 4, "patience": null,
              "augment": { "horizontal-flip": true, "zoom-range": 0.2, "brightness-range": [0.8, 1.2] } }
            """);

        var options = TrainOptionsFile.Read(path);

        Assert.Equal((4, true, 0.2), (options.Epochs, options.Augment.HorizontalFlip, options.Augment.Zoom));
        Assert.Equal([0.8, 1.2], options.Augment.Brightness!);
    }
}
