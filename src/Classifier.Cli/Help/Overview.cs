using System.CommandLine;

namespace Classifier.Cli.Help;

/// <summary>What <c>classify</c> alone and <c>classify --help</c> print: the verbs and the two commands most runs start with.</summary>
internal static class Overview
{
    public static void Write(TextWriter output, RootCommand root)
    {
        int width = HelpWriter.WidthFor(output);
        foreach (var line in HelpWriter.Wrap(root.Description ?? "", width)) output.WriteLine(line);
        output.WriteLine();
        output.WriteLine("Usage: classify <verb> [options]");
        output.WriteLine();
        output.WriteLine("Verbs:");
        var verbs = root.Subcommands.Where(c => !c.Hidden).ToList();
        int column = verbs.Max(v => v.Name.Length) + 4;
        foreach (var verb in verbs)
        {
            var lines = HelpWriter.Wrap(verb.Description ?? "", Math.Max(20, width - column - 2));
            output.WriteLine($"  {verb.Name.PadRight(column)}{lines.FirstOrDefault()}");
            foreach (var line in lines.Skip(1)) output.WriteLine(new string(' ', column + 2) + line);
        }
        output.WriteLine();
        output.WriteLine("Most runs start with:");
        output.WriteLine("  classify train DATA_DIR -o runs/first            train, write a run folder");
        output.WriteLine("  classify eval --model runs/first VAL_DIR         evaluate its best model");
        output.WriteLine();
        foreach (var line in HelpWriter.Wrap("Run 'classify <verb> --help' for a verb's options, 'classify --version' to check the installation.", width))
            output.WriteLine(line);
    }
}
