using System.Text.Json;
using System.Text.Json.Serialization;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Tests.Store;

/// <summary>
/// The JSON a node stores in synced rows (an event's payload, an item's lists) is part of the data every node holds: the
/// build-time serializers must write exactly what the run-time (reflection) serializer with the same options wrote, and
/// read what it wrote, or a mixed network would see the same event with two different payloads.
/// </summary>
public sealed class StoredJsonFormTests
{
    private static readonly JsonSerializerOptions ReflectedPayload = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    private static readonly JsonSerializerOptions ReflectedLists = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static TheoryData<CaseEventData> Payloads() =>
    [
        CaseEventData.None,
        new CaseEventData { Reason = "材料不全：缺少营业执照副本" },
        new CaseEventData { Materials = ["身份证", "户口簿"] },
        new CaseEventData { TargetLevel = NodeLevel.Township, TargetNode = "t01" },
        new CaseEventData { Department = "market", Opinion = OpinionKind.Reject, Reason = "名称重复" },
        new CaseEventData { Approved = true, CertificateNumber = "XT-2026-000123" },
        new CaseEventData { Rating = 5, Comment = "办事快", Agency = "agency-1", AgencyScore = 4 },
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void EventPayload_WrittenAsTheReflectionSerializerWroteIt_AndReadBack(CaseEventData data)
    {
        var generated = JsonSerializer.Serialize(data, CaseJsonContext.Default.CaseEventData);
        Assert.Equal(JsonSerializer.Serialize(data, ReflectedPayload), generated);
        Assert.Equal(data with { }, CaseRows.ReadPayload(generated), PayloadComparer.Instance);
    }

    [Fact]
    public void EventPayload_StoredForm_IsPinned()
    {
        Assert.Equal("{}", JsonSerializer.Serialize(CaseEventData.None, CaseJsonContext.Default.CaseEventData));
        Assert.Equal(
            """{"targetLevel":"Township","targetNode":"t01"}""",
            JsonSerializer.Serialize(new CaseEventData { TargetLevel = NodeLevel.Township, TargetNode = "t01" }, CaseJsonContext.Default.CaseEventData));
        Assert.Equal(OpinionKind.Approve, CaseRows.ReadPayload("""{"department":"tax","opinion":"Approve"}""").Opinion);
    }

    [Fact]
    public void ItemLists_WrittenAsTheReflectionSerializerWroteThem()
    {
        IReadOnlyList<Material> materials = [new("身份证", 1, true, true), new("照片", 2, false, false)];
        IReadOnlyList<string> departments = ["market", "tax"];
        Assert.Equal(JsonSerializer.Serialize(materials, ReflectedLists), JsonSerializer.Serialize(materials, CatalogueJsonContext.Default.IReadOnlyListMaterial));
        Assert.Equal(JsonSerializer.Serialize(departments, ReflectedLists), JsonSerializer.Serialize(departments, CatalogueJsonContext.Default.IReadOnlyListString));
        Assert.Equal(
            // The default encoder escapes non-ASCII text: that is the stored form, kept.
            """[{"name":"\u8EAB\u4EFD\u8BC1","copies":1,"original":true,"required":true},{"name":"\u7167\u7247","copies":2,"original":false,"required":false}]""",
            JsonSerializer.Serialize(materials, CatalogueJsonContext.Default.IReadOnlyListMaterial));
        Assert.Equal(materials, JsonSerializer.Deserialize(JsonSerializer.Serialize(materials, ReflectedLists), CatalogueJsonContext.Default.ListMaterial));
    }

    /// <summary>Records compare their list members by reference; payloads are equal when every member is.</summary>
    private sealed class PayloadComparer : IEqualityComparer<CaseEventData>
    {
        public static readonly PayloadComparer Instance = new();

        public bool Equals(CaseEventData? x, CaseEventData? y) =>
            x is not null && y is not null
            && (x.Materials ?? []).SequenceEqual(y.Materials ?? [])
            && x with { Materials = null } == y with { Materials = null };

        public int GetHashCode(CaseEventData obj) => 0;
    }
}
