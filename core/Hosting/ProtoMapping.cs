using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Hosting;

/// <summary>Conversions between domain enums and their wire forms.</summary>
public static class ProtoMapping
{
    /// <summary>Domain level to wire level.</summary>
    public static Protos.V1.NodeLevel ToProto(NodeLevel level) => level switch
    {
        NodeLevel.City => Protos.V1.NodeLevel.City,
        NodeLevel.Township => Protos.V1.NodeLevel.Township,
        NodeLevel.Village => Protos.V1.NodeLevel.Village,
        _ => Protos.V1.NodeLevel.Unspecified,
    };

    /// <summary>Wire level to domain level; null for unspecified or unknown values.</summary>
    public static NodeLevel? FromProto(Protos.V1.NodeLevel level) => level switch
    {
        Protos.V1.NodeLevel.City => NodeLevel.City,
        Protos.V1.NodeLevel.Township => NodeLevel.Township,
        Protos.V1.NodeLevel.Village => NodeLevel.Village,
        _ => null,
    };
}
