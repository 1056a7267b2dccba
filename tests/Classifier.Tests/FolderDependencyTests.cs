using System.Reflection;
using System.Reflection.Emit;
using Classifier.Core;
using Xunit.Abstractions;

namespace Classifier.Tests;

/// <summary>
/// Core's top-level folders (Data/, Model/, Training/, ...) depend on each other one way: no folder uses a type of a
/// folder that uses one of its own, directly or around a longer loop (docs/architecture.md). Read from the compiled
/// assembly, not the source, so a reference through a relative namespace (<c>Data.InputFile</c>), a lambda or a
/// method body counts as much as a <c>using</c>: every type's base types, members' signatures, local variables and
/// the types, methods and fields its IL names. The root namespace (<see cref="ClassifierException"/> and a few shared
/// helpers) belongs to no folder. Not seen: constants, which the compiler copies into the user (a <c>const</c> or an
/// enum member used only as a value).
/// </summary>
public sealed class FolderDependencyTests(ITestOutputHelper output)
{
    /// <summary>
    /// Back-edges known when this test was written, each with what makes it: remove an entry once its cycle is gone,
    /// never add one (move the code instead, as AugmentPreview moved to Training/ and classify runs' types to Reporting/).
    /// </summary>
    private static readonly HashSet<(string From, string To)> KnownBackEdges =
    [
    ];

    private const string Root = "Classifier.Core";

    [Fact]
    public void CoresFolders_DependOnEachOtherOneWay()
    {
        var edges = Edges();
        foreach (var (from, tos) in edges.OrderBy(e => e.Key))
            output.WriteLine($"{from} -> {string.Join(", ", tos.Keys.Order())}");

        var kept = edges.ToDictionary(e => e.Key, e => e.Value.Keys.Where(to => !KnownBackEdges.Contains((e.Key, to))).ToList());
        var cycle = FindCycle(kept);

        Assert.True(cycle is null, cycle is null ? "" :
            $"Core's folders have a cycle: {string.Join(" -> ", cycle)}. What makes each step: " + string.Join("; ",
                cycle.Zip(cycle.Skip(1), (a, b) => $"{a} -> {b}: {string.Join(", ", edges[a][b].Order().Take(5))}")) +
            ". Move the code so that the dependency points one way (docs/architecture.md).");
    }

    [Fact]
    public void TheCheck_SeesReferencesInMethodBodies_AndThroughRelativeNamespaces()
    {
        var edges = Edges();

        // ClassFindings (Checking/) calls Data.LookAlikeNames.Groups inside a method, through a namespace relative to
        // Classifier.Core, with no using.
        Assert.Contains("ClassFindings uses LookAlikeNames", edges["Checking"]["Data"]);
        Assert.Contains("Evaluation", edges["Reporting"].Keys);
        // Training/ names Data/'s types everywhere; Data/ names none of Training/'s.
        Assert.Contains("Data", edges["Training"].Keys);
        Assert.DoesNotContain("Training", edges.GetValueOrDefault("Data", []).Keys);
    }

    /// <summary>folder -> folder it uses -> the types that make the edge (user -> used).</summary>
    private static Dictionary<string, Dictionary<string, HashSet<string>>> Edges()
    {
        var edges = new Dictionary<string, Dictionary<string, HashSet<string>>>();
        foreach (var type in typeof(ClassifierException).Assembly.GetTypes())
        {
            var from = Folder(type);
            if (from is null) continue;
            foreach (var used in UsedTypes(type))
            {
                var to = Folder(used);
                if (to is null || to == from) continue;
                if (!edges.TryGetValue(from, out var tos)) edges[from] = tos = [];
                if (!tos.TryGetValue(to, out var why)) tos[to] = why = [];
                why.Add($"{Outermost(type).Name} uses {Outermost(used).Name}");
            }
        }
        return edges;
    }

    /// <summary>The top-level folder of a Core type (<c>Model</c> for Classifier.Core.Model.Zoo), null outside one.</summary>
    private static string? Folder(Type type)
    {
        var ns = Outermost(type).Namespace;
        if (ns is null || !ns.StartsWith(Root + ".", StringComparison.Ordinal) || type.Assembly != typeof(ClassifierException).Assembly)
            return null;
        return ns[(Root.Length + 1)..].Split('.')[0];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
                                          | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static HashSet<Type> UsedTypes(Type type)
    {
        var used = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter || !used.Add(t)) return;
            if (t.HasElementType) Add(t.GetElementType());
            if (t.IsGenericType)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments()) Add(argument);
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var field in type.GetFields(Declared)) Add(field.FieldType);
        foreach (var property in type.GetProperties(Declared)) Add(property.PropertyType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info) Add(info.ReturnType);
            foreach (var parameter in method.GetParameters()) Add(parameter.ParameterType);
            var body = method.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var member in MembersNamedBy(method, body.GetILAsByteArray() ?? []))
            {
                switch (member)
                {
                    case Type t:
                        Add(t);
                        break;
                    case MethodBase m:
                        Add(m.DeclaringType);
                        if (m.IsGenericMethod)
                            foreach (var argument in m.GetGenericArguments()) Add(argument);
                        break;
                    case FieldInfo f:
                        Add(f.DeclaringType);
                        break;
                }
            }
        }
        return used;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types, methods and fields named by the metadata tokens of <paramref name="il"/>.</summary>
    private static IEnumerable<MemberInfo> MembersNamedBy(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    yield return method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments)!;
                    at += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default:   // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    at += 4;
                    break;
            }
        }
    }

    /// <summary>A cycle as a path that ends where it starts, or null when the graph has none.</summary>
    private static List<string>? FindCycle(Dictionary<string, List<string>> graph)
    {
        var state = new Dictionary<string, int>();   // 1: on the current path, 2: done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order())
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.Skip(path.IndexOf(next)), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order())
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
                return cycle;
        return null;
    }
}
