namespace ServiceHall.Core.Nodes;

/// <summary>Level of a node in the three-tier network, and the level that decides an item.</summary>
public enum NodeLevel
{
    /// <summary>The city government service hall (政务服务中心).</summary>
    City = 1,

    /// <summary>A township service centre (便民服务中心).</summary>
    Township = 2,

    /// <summary>A village or community service station (便民服务站).</summary>
    Village = 3,
}
