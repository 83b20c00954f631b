namespace ServiceHall.Web.Tests;

/// <summary>
/// The test classes that run real nodes (a devnet of processes, or nodes in this process) run one after another, not in
/// parallel: on a small shared machine a browser flow beside a network of in-process nodes was starved into timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealNodes
{
    public const string Name = "real nodes";
}
