using Classifier.Core;
using Classifier.Core.Sharding;

namespace Classifier.Tests.Sharding;

public sealed class ShardTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static readonly Func<string, string?> NoEnv = Env();

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("2/3", 2, 3)]
    [InlineData(" 6/7 ", 6, 7)]
    public void Parse_ReadsKOfN_CountingFromZero(string text, int index, int count) =>
        Assert.Equal(new Shard(index, count), Shard.Parse(text, NoEnv));

    [Theory]
    [InlineData("3/3", "counts from 0", "2/3")]
    [InlineData("5/3", "from 0 to 2", null)]
    [InlineData("1/0", "from 1 to", null)]
    [InlineData("-1/3", "K must be a whole number", null)]
    [InlineData("a/3", "K must be a whole number", null)]
    [InlineData("1/x", "N must be a whole number", null)]
    [InlineData("3", "give K/N", null)]
    public void Parse_RefusesBadValues_NamingTheOption(string text, string expected, string? hint)
    {
        var e = Assert.Throws<ClassifierException>(() => Shard.Parse(text, NoEnv));
        Assert.Contains("--shard", e.Message);
        Assert.Contains(expected, e.Message);
        if (hint is not null) Assert.Contains(hint, e.Message);
    }

    [Fact]
    public void Auto_WithoutAnEngine_SaysWhichVariablesItLookedFor()
    {
        var e = Assert.Throws<ClassifierException>(() => Shard.Parse("auto", NoEnv));
        Assert.Contains("JOB_COMPLETION_INDEX", e.Message);
        Assert.Contains("SLURM_ARRAY_TASK_ID", e.Message);
        Assert.Contains("--shard K/N", e.Message);
    }

    [Fact]
    public void Auto_OnKubernetes_TakesTheIndexFromTheJobAndTheCountFromTheOption()
    {
        var env = Env(("JOB_COMPLETION_INDEX", "4"));
        Assert.Equal(new Shard(4, 7), Shard.Parse("auto/7", env));
        var e = Assert.Throws<ClassifierException>(() => Shard.Parse("auto", env));
        Assert.Contains("auto/N", e.Message);
        Assert.Contains("completions", e.Message);
        Assert.Throws<ClassifierException>(() => Shard.Parse("auto/4", env));
    }

    [Theory]
    [InlineData("0", "0", "7", null, 0)]
    [InlineData("6", "0", "7", null, 6)]
    [InlineData("1", "1", "7", null, 0)]
    [InlineData("7", "1", "7", null, 6)]
    [InlineData("12", "0", "7", "2", 6)]
    public void Auto_OnSlurm_CountsFromTheArraysFirstTask(string id, string min, string count, string? step, int expected)
    {
        var variables = new List<(string, string)>
        {
            ("SLURM_ARRAY_TASK_ID", id), ("SLURM_ARRAY_TASK_MIN", min), ("SLURM_ARRAY_TASK_COUNT", count),
        };
        if (step is not null) variables.Add(("SLURM_ARRAY_TASK_STEP", step));
        Assert.Equal(new Shard(expected, 7), Shard.Parse("auto", Env(variables.ToArray())));
    }

    [Fact]
    public void Auto_OnSlurm_RefusesAnArrayThatIsNotOneRange_AndACountThatDisagrees()
    {
        var list = Env(("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3"));
        Assert.Contains("--array=0-2", Assert.Throws<ClassifierException>(() => Shard.Parse("auto", list)).Message);
        var range = Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_COUNT", "3"));
        Assert.Contains("auto/4", Assert.Throws<ClassifierException>(() => Shard.Parse("auto/4", range)).Message);
        Assert.Equal(new Shard(1, 3), Shard.Parse("auto/3", range));
    }

    [Fact]
    public void Auto_WithBothEngines_AsksForAnExplicitShard()
    {
        var both = Env(("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "2"));
        Assert.Contains("both", Assert.Throws<ClassifierException>(() => Shard.Parse("auto/2", both)).Message);
    }
}
