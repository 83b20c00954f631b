using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Catalogue;

/// <summary>
/// The catalogue the city starts with, shipped as JSON files embedded from <c>core/Seed/</c>:
/// departments, service items with their guides, the working calendar (one file per year,
/// <c>calendar-YYYY.json</c>), the node registry and intermediary agencies.
/// </summary>
/// <param name="Departments">Departments (部门).</param>
/// <param name="Items">Service items (事项).</param>
/// <param name="CalendarDays">Working-calendar exceptions of every year shipped.</param>
/// <param name="Nodes">The node registry, parents before children.</param>
/// <param name="Agencies">Intermediary agencies (中介机构).</param>
public sealed record CatalogueSeedData(
    IReadOnlyList<Department> Departments,
    IReadOnlyList<ServiceItem> Items,
    IReadOnlyList<CalendarDay> CalendarDays,
    IReadOnlyList<RegisteredNode> Nodes,
    IReadOnlyList<Agency> Agencies)
{
    private const string ResourcePrefix = "ServiceHall.Core.Seed.";

    // Strict: a misspelt or missing field in a seed file fails at load, not as a silent default.
    // Contracts are generated at build time (SeedJsonContext), not reflected at run time.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = SeedJsonContext.Default,
        Converters =
        {
            new JsonStringEnumConverter<NodeLevel>(namingPolicy: null, allowIntegerValues: false),
            new JsonStringEnumConverter<ReviewRule>(namingPolicy: null, allowIntegerValues: false),
        },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Loads and validates the embedded seed files.</summary>
    /// <exception cref="InvalidDataException">A file is missing, malformed or inconsistent.</exception>
    public static CatalogueSeedData LoadEmbedded()
    {
        var assembly = typeof(CatalogueSeedData).Assembly;
        var calendar = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix + "calendar-", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(n => Read<CalendarDay>(assembly, n))
            .ToList();
        var data = new CatalogueSeedData(
            Read<Department>(assembly, ResourcePrefix + "departments.json"),
            Read<ServiceItem>(assembly, ResourcePrefix + "items.json"),
            calendar,
            Read<RegisteredNode>(assembly, ResourcePrefix + "nodes.json"),
            Read<Agency>(assembly, ResourcePrefix + "agencies.json"));
        data.Validate();
        return data;
    }

    /// <summary>Checks the rules the store cannot: unique keys, references between files, service-guide invariants, scope paths.</summary>
    /// <exception cref="InvalidDataException">The first rule broken, naming the row.</exception>
    public void Validate()
    {
        Unique(Departments.Select(d => d.Code), "department code");
        Unique(Items.Select(i => i.Code), "item code");
        Unique(CalendarDays.Select(d => d.Date.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), "calendar date");
        Unique(Nodes.Select(n => n.Id), "node id");
        Unique(Agencies.Select(a => a.Code), "agency code");

        var departments = Departments.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var item in Items)
        {
            Check(departments.Contains(item.LeadDepartment), $"Item {item.Code} names unknown lead department '{item.LeadDepartment}'.");
            foreach (var d in item.ReviewDepartments)
            {
                Check(departments.Contains(d), $"Item {item.Code} names unknown review department '{d}'.");
            }

            Check(item.ReviewDepartments.Distinct(StringComparer.Ordinal).Count() == item.ReviewDepartments.Count, $"Item {item.Code} lists a review department twice.");
            Check(item.PromisedLimitDays <= item.LegalLimitDays, $"Item {item.Code} promises {item.PromisedLimitDays} days, more than its legal {item.LegalLimitDays}.");
            Check(item.OnTheSpot == (item.PromisedLimitDays == 0), $"Item {item.Code}: an on-the-spot item (即办件) has promised limit 0, and only it.");
            Check((item.ReviewDepartments.Count > 0) == (item.ReviewRule != ReviewRule.None), $"Item {item.Code}: a review rule needs review departments, and review departments need a rule.");
            Check(item.Materials.Count > 0, $"Item {item.Code} lists no materials.");
            Check(
                item.ReviewDepartments.Count == 0 || (item.ReviewLimitDays > 0 && item.ReviewLimitDays <= item.PromisedLimitDays),
                $"Item {item.Code}: each reviewing department needs 1 to {item.PromisedLimitDays} (the promised limit) working days, not {item.ReviewLimitDays}.");
        }

        foreach (var day in CalendarDays)
        {
            var weekend = day.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            Check(!day.Working || weekend, $"Calendar day {day.Date:O} is marked working but is already a weekday.");
        }

        var nodes = new Dictionary<string, RegisteredNode>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            Check(CatalogueRepository.IsValidNodeId(node.Id), $"Node id '{node.Id}' is not 1–32 lower-case letters, digits or '-'.");
            if (node.Level == NodeLevel.City)
            {
                Check(node.ParentId is null && node.Scope == node.Id, $"City node {node.Id} must have no parent and scope '{node.Id}'.");
            }
            else
            {
                Check(node.ParentId is not null && nodes.ContainsKey(node.ParentId), $"Node {node.Id} names parent '{node.ParentId}' that is not listed before it.");
                var parent = nodes[node.ParentId!];
                Check((int)parent.Level == (int)node.Level - 1, $"Node {node.Id} ({node.Level}) has parent {parent.Id} ({parent.Level}).");
                Check(node.Scope == parent.Scope + "/" + node.Id, $"Node {node.Id} has scope '{node.Scope}', expected '{parent.Scope}/{node.Id}'.");
            }

            nodes[node.Id] = node;
        }

        Check(Nodes.Count(n => n.Level == NodeLevel.City) == 1, "The registry must hold exactly one city node.");
    }

    private static List<T> Read<T>(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"Seed file '{resource}' is not embedded in {assembly.GetName().Name}.");
        return Parse<T>(stream, resource);
    }

    /// <summary>Reads one seed file's rows, strictly (see <see cref="Json"/>).</summary>
    internal static List<T> Parse<T>(Stream stream, string resource)
    {
        try
        {
            return JsonSerializer.Deserialize(stream, (JsonTypeInfo<List<T>>)Json.GetTypeInfo(typeof(List<T>)))
                ?? throw new InvalidDataException($"Seed file '{resource}' holds null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Seed file '{resource}' is malformed: {e.Message}", e);
        }
    }

    private static void Unique(IEnumerable<string> keys, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            Check(seen.Add(k), $"Duplicate {what} '{k}' in the seed data.");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException(message);
        }
    }
}

/// <summary>The seed files' row types, for <see cref="CatalogueSeedData"/>'s strict reader.</summary>
[JsonSerializable(typeof(List<Department>))]
[JsonSerializable(typeof(List<ServiceItem>))]
[JsonSerializable(typeof(List<CalendarDay>))]
[JsonSerializable(typeof(List<RegisteredNode>))]
[JsonSerializable(typeof(List<Agency>))]
internal sealed partial class SeedJsonContext : JsonSerializerContext;
