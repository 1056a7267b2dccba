using Classifier.Core.Runs;

namespace Classifier.Tests.Runs;

/// <summary>
/// The CSV field rules every file classify writes relies on: RFC 4180 quoting, text that a spreadsheet would run as a
/// formula written as text, and <see cref="Csv.Split"/> giving back exactly what <see cref="Csv.Escape"/> was given.
/// </summary>
public sealed class CsvTests
{
    [Theory]
    [InlineData("Bag", "Bag")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("it's", "it's")]                     // a quote inside the text needs nothing
    public void Escape_QuotesOnlyFieldsThatNeedIt(string field, string expected) =>
        Assert.Equal(expected, Csv.Escape(field));

    [Theory]
    [InlineData("=cmd|' /C calc'!A0")]
    [InlineData("+1")]
    [InlineData("-x")]
    [InlineData("@SUM(A1)")]
    [InlineData("\tTab")]
    [InlineData("\rReturn")]
    public void Escape_WritesAFormulaStartAsQuotedText_ThatSplitGivesBack(string field)
    {
        var escaped = Csv.Escape(field);

        Assert.StartsWith("\"'", escaped);   // a spreadsheet shows a cell that starts with ' as text
        Assert.EndsWith("\"", escaped);
        Assert.Equal([field], Csv.Split(escaped));
    }

    [Fact]
    public void Escape_DoublesALeadingSingleQuote_SoSplitRemovesOnlyTheOneItAdded()
    {
        Assert.Equal("\"''quoted\"", Csv.Escape("'quoted"));
        Assert.Equal(["'quoted"], Csv.Split(Csv.Escape("'quoted")));
        Assert.Equal(["'"], Csv.Split(Csv.Escape("'")));
    }

    [Fact]
    public void Split_GivesBackEveryField_OfALineOfEscapedFields()
    {
        string[] fields = ["plain", "", "a,b", "\"", "=1+1", "'x", "-", "x'", "\"quoted\", twice\"", "ends with comma,", "ü/名前.png"];

        var line = string.Join(",", fields.Select(Csv.Escape));

        Assert.Equal(fields, Csv.Split(line));
    }

    [Fact]
    public void Split_KeepsASingleQuote_ThatNoQuotedFieldStartsWith()
    {
        // Written by hand or by another tool: only a quoted field's leading ' is Escape's.
        Assert.Equal(["'abc", "1", "x"], Csv.Split("'abc,1,x"));
        Assert.Equal(["", "", ""], Csv.Split(",,"));
    }
}
