using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceHall.Core.Catalogue;

/// <summary>
/// The stored JSON form of an item's lists (<c>items.materials</c>, <c>items.review_departments</c>), with the web
/// defaults (camel case). Generated at build time rather than reflected at run time, like <see cref="Cases.CaseJsonContext"/>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<Material>))]
[JsonSerializable(typeof(List<Material>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class CatalogueJsonContext : JsonSerializerContext;
