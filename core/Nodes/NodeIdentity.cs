namespace ServiceHall.Core.Nodes;

/// <summary>Who this node is: its id and level, fixed by configuration at start-up.</summary>
/// <param name="NodeId">Node id, e.g. <c>city</c>, <c>t01</c>, <c>t01-v01</c>.</param>
/// <param name="Level">Level of the node program that runs.</param>
public sealed record NodeIdentity(string NodeId, NodeLevel Level);
