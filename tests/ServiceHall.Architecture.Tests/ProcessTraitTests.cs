using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ServiceHall.Architecture.Tests;

/// <summary>
/// The fast suite (<c>dotnet test ServiceHall.sln --filter "Category!=Process"</c>, README) leaves out exactly the tests
/// that start processes: a test class that uses the process rig — a node program, a devnet, the CLI as a process, the chaos
/// run, the scale network, a native build, Chromium or any <c>Process.Start</c> — directly or through a helper of its own
/// assembly carries <c>[Trait("Category", "Process")]</c>. Read from the compiled test assemblies with Mono.Cecil.
/// </summary>
public sealed class ProcessTraitTests
{
    private const string Trait = "Process";

    /// <summary>Types whose use makes a test process-level.</summary>
    private static readonly HashSet<string> EntryTypes = new(StringComparer.Ordinal)
    {
        "ServiceHall.Testing.Chaos.ChaosRun",
        "ServiceHall.Testing.Cli.CliProcess",
        "ServiceHall.Testing.Devnet.DevnetSession",
        "ServiceHall.Testing.Devnet.DevnetTeardown",
        "ServiceHall.Testing.Nodes.NodeProcess",
        "ServiceHall.Testing.Scale.ScaleRun",
        "ServiceHall.Testing.Scale.ScaleNetwork",
        "ServiceHall.Cli.Devnet.NativeNodeBuild",
    };

    public static TheoryData<string> TestAssemblies() => new() { "ServiceHall.Integration.Tests", "ServiceHall.Web.Tests" };

    [Theory]
    [MemberData(nameof(TestAssemblies))]
    public void EveryTestClassThatStartsProcessesCarriesTheProcessTrait(string assembly)
    {
        var path = Path.Combine(Repository.Root, "tests", assembly, "bin", Repository.Configuration, "net10.0", assembly + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: the test project was not built with this test.");
        using var module = ModuleDefinition.ReadModule(path);

        var process = ProcessLevelTypes(module);
        var unmarked = module.Types
            .Where(t => process.Contains(t.FullName) && IsTestClass(t) && !HasProcessTrait(t))
            .Select(t => "  " + t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains(module.Types, t => process.Contains(t.FullName) && IsTestClass(t));
        Assert.True(unmarked.Count == 0, $"process-level test classes without [Trait(\"Category\", \"{Trait}\")]:\n{string.Join('\n', unmarked)}");
    }

    /// <summary>Top-level types of the module that use the rig, directly or through another top-level type of the module.</summary>
    private static HashSet<string> ProcessLevelTypes(ModuleDefinition module)
    {
        var uses = module.Types.ToDictionary(t => t.FullName, t => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var direct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in module.Types)
        {
            foreach (var used in Uses(type))
            {
                if (EntryTypes.Contains(used.Type) || used.Type.StartsWith("Microsoft.Playwright.", StringComparison.Ordinal)
                    || (used.Type == "System.Diagnostics.Process" && used.Member == "Start"))
                {
                    direct.Add(type.FullName);
                }
                else if (uses.ContainsKey(used.Type) && used.Type != type.FullName)
                {
                    uses[type.FullName].Add(used.Type);
                }
            }
        }

        var result = new HashSet<string>(direct, StringComparer.Ordinal);
        bool grew;
        do
        {
            grew = false;
            foreach (var (type, used) in uses)
            {
                if (!result.Contains(type) && used.Overlaps(result))
                {
                    grew = result.Add(type);
                }
            }
        }
        while (grew);

        return result;
    }

    /// <summary>Every type (and method name) that a type and its nested types (lambdas, async state machines) use.</summary>
    private static IEnumerable<(string Type, string? Member)> Uses(TypeDefinition type)
    {
        static string Outer(TypeReference t)
        {
            while (t is TypeSpecification spec)
            {
                t = spec.ElementType;
            }

            while (t.DeclaringType is { } d)
            {
                t = d;
            }

            return t.FullName;
        }

        foreach (var nested in type.NestedTypes)
        {
            foreach (var use in Uses(nested))
            {
                yield return use;
            }
        }

        foreach (var field in type.Fields)
        {
            yield return (Outer(field.FieldType), null);
        }

        foreach (var method in type.Methods.Where(m => m.HasBody))
        {
            foreach (var variable in method.Body.Variables)
            {
                yield return (Outer(variable.VariableType), null);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case MethodReference m:
                        yield return (Outer(m.DeclaringType), m.Name);
                        break;
                    case TypeReference t:
                        yield return (Outer(t), null);
                        break;
                    case FieldReference f:
                        yield return (Outer(f.DeclaringType), null);
                        break;
                }

                _ = instruction.OpCode == OpCodes.Nop;
            }
        }
    }

    private static bool IsTestClass(TypeDefinition type) =>
        type.Methods.Any(m => m.CustomAttributes.Any(a => a.AttributeType.FullName is "Xunit.FactAttribute" or "Xunit.TheoryAttribute"));

    private static bool HasProcessTrait(TypeDefinition type) =>
        type.CustomAttributes.Any(a => a.AttributeType.FullName == "Xunit.TraitAttribute"
            && a.ConstructorArguments.Count == 2
            && a.ConstructorArguments[0].Value as string == "Category"
            && a.ConstructorArguments[1].Value as string == Trait);
}
