using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Catalogue;

/// <summary>How a parallel review (并联审批) reaches its outcome.</summary>
public enum ReviewRule
{
    /// <summary>No parallel review: the lead department decides alone.</summary>
    None = 0,

    /// <summary>Every required department must approve; one rejection rejects.</summary>
    AllMustApprove = 1,

    /// <summary>The lead department decides, with the other departments' opinions attached.</summary>
    LeadDecides = 2,
}

/// <summary>A required material (申请材料) of a service guide.</summary>
public sealed record Material(string Name, int Copies, bool Original, bool Required);

/// <summary>A department (部门) stationed at the hall.</summary>
public sealed record Department(string Code, string Name, string NameEn);

/// <summary>
/// A service item (事项) with its published service guide (办事指南).
/// </summary>
/// <param name="Code">Unique code, e.g. <c>CITY-BIZ-REG</c>.</param>
/// <param name="Name">Name in Chinese.</param>
/// <param name="NameEn">Name in English.</param>
/// <param name="Category">Category (类别).</param>
/// <param name="LeadDepartment">Code of the department that accepts and coordinates.</param>
/// <param name="HandlingLevel">Level that decides cases of this item.</param>
/// <param name="LegalBasis">Legal basis (设定依据).</param>
/// <param name="Conditions">Conditions (受理条件).</param>
/// <param name="Materials">Required materials (申请材料).</param>
/// <param name="LegalLimitDays">Legal limit (法定时限), in working days.</param>
/// <param name="PromisedLimitDays">Promised limit (承诺时限), in working days; 0 for on-the-spot items.</param>
/// <param name="Fees">Fees (收费标准), as published text.</param>
/// <param name="ReviewDepartments">Departments that review in parallel (并联审批); empty for single-department items.</param>
/// <param name="ReviewRule">How the parallel review decides.</param>
/// <param name="OnTheSpot">On-the-spot item (即办件): decided at the window.</param>
/// <param name="SilentConsent">A department that has not answered by its limit counts as consenting (超时默许).</param>
/// <param name="ReviewLimitDays">Working days each reviewing department has for its opinion.</param>
/// <param name="ServiceLocation">Where to apply (办理地点), as published text.</param>
/// <param name="Phone">Telephone for enquiries (咨询电话).</param>
/// <param name="OnlinePreReview">Online pre-review (网上预审) is offered.</param>
public sealed record ServiceItem(
    string Code,
    string Name,
    string NameEn,
    string Category,
    string LeadDepartment,
    NodeLevel HandlingLevel,
    string LegalBasis,
    string Conditions,
    IReadOnlyList<Material> Materials,
    int LegalLimitDays,
    int PromisedLimitDays,
    string Fees,
    IReadOnlyList<string> ReviewDepartments,
    ReviewRule ReviewRule,
    bool OnTheSpot,
    bool SilentConsent,
    int ReviewLimitDays,
    string ServiceLocation,
    string Phone,
    bool OnlinePreReview);

/// <summary>A node of the network as registered at the city.</summary>
/// <param name="Id">Node id, e.g. <c>t01-v01</c>.</param>
/// <param name="Level">Level.</param>
/// <param name="ParentId">Parent node id; null for the city.</param>
/// <param name="Name">Display name.</param>
/// <param name="Scope">Scope path, e.g. <c>city/t01/t01-v01</c>.</param>
public sealed record RegisteredNode(string Id, NodeLevel Level, string? ParentId, string Name, string Scope);

/// <summary>An intermediary agency (中介机构).</summary>
public sealed record Agency(string Code, string Name, string Service);
