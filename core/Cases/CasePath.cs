using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The chain of nodes a case can travel along, read from its intake scope path: <c>city/t01/t01-v01</c> means the
/// city, township <c>t01</c> and village <c>t01-v01</c>. Position in the path is the level (city first).
/// </summary>
public sealed class CasePath
{
    private readonly string[] _nodes;

    /// <summary>Reads a scope path.</summary>
    public CasePath(string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        _nodes = scope.Split('/');
        if (_nodes.Length > 3 || _nodes.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"'{scope}' is not a scope path of at most three levels (city/township/village).", nameof(scope));
        }
    }

    /// <summary>Nodes from the city down to the intake node.</summary>
    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>The node at <paramref name="level"/> on the path, or null if the path does not reach that level.</summary>
    public string? NodeAt(NodeLevel level)
    {
        var i = (int)level - 1;
        return i >= 0 && i < _nodes.Length ? _nodes[i] : null;
    }

    /// <summary>Level of a node on the path, or null if it is not on the path.</summary>
    public NodeLevel? LevelOf(string nodeId)
    {
        var i = Array.IndexOf(_nodes, nodeId);
        return i < 0 ? null : (NodeLevel)(i + 1);
    }

    /// <summary>The scope path of the node at <paramref name="level"/>.</summary>
    public string ScopeAt(NodeLevel level) => string.Join('/', _nodes.Take((int)level));
}
