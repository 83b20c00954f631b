using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ServiceHall.Architecture.Tests;

/// <summary>
/// Which namespace of an assembly uses which, read from the compiled IL with Mono.Cecil (never loaded): base types,
/// interfaces, fields, properties, signatures, attributes, locals and every type, method and field a method body names.
/// A namespace's edge to another is kept with one example (type → type) so that a failure says where to look.
/// Implicit uses that a <c>using</c> scan would miss (a type of a parent namespace named without a <c>using</c>) count.
/// </summary>
public sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(string root) => Root = root;

    /// <summary>Only namespaces equal to or below this one are nodes of the graph.</summary>
    public string Root { get; }

    /// <summary>Every namespace of the graph.</summary>
    public IReadOnlyCollection<string> Namespaces => _edges.Keys;

    /// <summary>Namespaces that <paramref name="from"/> uses, with an example use for each.</summary>
    public IReadOnlyDictionary<string, string> UsesOf(string from) =>
        _edges.TryGetValue(from, out var to) ? to : new Dictionary<string, string>();

    /// <summary>Reads the graph of every namespace under <paramref name="root"/> in the assemblies at <paramref name="paths"/>.</summary>
    public static NamespaceGraph Read(string root, params string[] paths)
    {
        var graph = new NamespaceGraph(root);
        foreach (var path in paths)
        {
            var resolver = new DefaultAssemblyResolver();
            resolver.AddSearchDirectory(Path.GetDirectoryName(path)!);
            using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { AssemblyResolver = resolver });
            foreach (var type in module.GetTypes())
            {
                graph.AddType(type);
            }
        }

        return graph;
    }

    /// <summary>Groups of namespaces that use each other in a circle (strongly connected components of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's algorithm, iterative over a sorted node list so the result is stable.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in UsesOf(v).Keys.Order(StringComparer.Ordinal))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }

        foreach (var v in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    /// <summary>Every edge inside <paramref name="component"/>, one line each with its example, for a failure message.</summary>
    public string Describe(IReadOnlyList<string> component)
    {
        var lines = new List<string>();
        foreach (var from in component)
        {
            foreach (var (to, example) in UsesOf(from).Where(e => component.Contains(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                lines.Add($"  {from} → {to}   (e.g. {example})");
            }
        }

        return string.Join('\n', lines);
    }

    private bool InGraph(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private void AddType(TypeDefinition type)
    {
        var self = Outermost(type);
        var from = self.Namespace;
        if (!InGraph(from))
        {
            return;
        }

        if (!_edges.ContainsKey(from))
        {
            _edges[from] = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        void Use(TypeReference? target)
        {
            foreach (var t in Flatten(target))
            {
                var outer = Outermost(t);
                var to = outer.Namespace;
                if (to != from && InGraph(to) && !_edges[from].ContainsKey(to))
                {
                    _edges[from][to] = $"{self.Name} uses {outer.Name}";
                }
            }
        }

        void UseAttributes(ICustomAttributeProvider provider)
        {
            if (!provider.HasCustomAttributes)
            {
                return;
            }

            foreach (var attribute in provider.CustomAttributes)
            {
                Use(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments)
                {
                    Use(argument.Type);
                    Use(argument.Value as TypeReference);
                }
            }
        }

        void UseMethod(MethodReference method)
        {
            Use(method.DeclaringType);
            Use(method.ReturnType);
            foreach (var p in method.Parameters)
            {
                Use(p.ParameterType);
            }

            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Use(argument);
                }
            }
        }

        Use(type.BaseType);
        UseAttributes(type);
        foreach (var i in type.Interfaces)
        {
            Use(i.InterfaceType);
        }

        foreach (var g in type.GenericParameters)
        {
            foreach (var c in g.Constraints)
            {
                Use(c.ConstraintType);
            }
        }

        foreach (var field in type.Fields)
        {
            Use(field.FieldType);
            UseAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Use(property.PropertyType);
            UseAttributes(property);
        }

        foreach (var e in type.Events)
        {
            Use(e.EventType);
        }

        foreach (var method in type.Methods)
        {
            UseMethod(method);
            UseAttributes(method);
            foreach (var p in method.Parameters)
            {
                UseAttributes(p);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Use(variable.VariableType);
            }

            foreach (var handler in method.Body.ExceptionHandlers)
            {
                Use(handler.CatchType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Use(t);
                        break;
                    case MethodReference m:
                        UseMethod(m);
                        break;
                    case FieldReference f:
                        Use(f.DeclaringType);
                        Use(f.FieldType);
                        break;
                    case CallSite site:
                        Use(site.ReturnType);
                        break;
                }

                _ = instruction.OpCode == OpCodes.Nop;
            }
        }
    }

    private static IEnumerable<TypeReference> Flatten(TypeReference? type)
    {
        if (type is null || type is GenericParameter)
        {
            yield break;
        }

        switch (type)
        {
            case GenericInstanceType generic:
                yield return generic.ElementType;
                foreach (var argument in generic.GenericArguments)
                {
                    foreach (var t in Flatten(argument))
                    {
                        yield return t;
                    }
                }

                break;
            case TypeSpecification spec:
                foreach (var t in Flatten(spec.ElementType))
                {
                    yield return t;
                }

                break;
            default:
                yield return type;
                break;
        }
    }
}
