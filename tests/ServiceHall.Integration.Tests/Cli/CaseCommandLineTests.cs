using System.CommandLine;
using ServiceHall.Cli;
using ServiceHall.Cli.Commands;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Protos.V1;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class CaseCommandLineTests
{
    private const string N = "t01-v01-20261127-0001";

    private static RootCommand Root() => CliRoot.Create();

    private static ParseResult Parse(string line) => Root().Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("case submit --node http://127.0.0.1:6400 --item CITY-BIZ-REG --applicant 某公司 --id-number 91370982MA3C000001")]
    [InlineData("case submit --node http://127.0.0.1:6400 --item CITY-PENSION --applicant 李四 --id-number 1 --phone 138 --online --as window@city --department HRSS --json")]
    [InlineData("case show --node http://127.0.0.1:6400 " + N + " --json")]
    [InlineData("case list --node http://127.0.0.1:6400 --status awaiting-correction --limit 10")]
    [InlineData("case pre-review " + N + " --node http://127.0.0.1:6400 --fail --reason 缺材料")]
    [InlineData("case accept " + N + " --node http://127.0.0.1:6400 --as mkt@city --profile /tmp/profile")]
    [InlineData("case correct " + N + " --node http://127.0.0.1:6400 --missing 材料1 --missing 材料2")]
    [InlineData("case supply " + N + " --node http://127.0.0.1:6400")]
    [InlineData("case route " + N + " --node http://127.0.0.1:6400 --to t01")]
    [InlineData("case opinion " + N + " --node http://127.0.0.1:6400 --department QS --verdict refer --reason 转质监后续监管")]
    [InlineData("case decide " + N + " --node http://127.0.0.1:6400 --reject --reason 名称重复")]
    [InlineData("case certificate " + N + " --node http://127.0.0.1:6400 --certificate 91370982MA3C000001")]
    [InlineData("case deliver " + N + " --node http://127.0.0.1:6400")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 5 --comment 很快")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 4 --agency AG-004 --agency-score 2")]
    [InlineData("case withdraw " + N + " --node http://127.0.0.1:6400 --reason 不办了")]
    [InlineData("stats --node http://127.0.0.1:6400 --json")]
    public void Parse_ValidCaseCommand_NoErrors(string line)
    {
        var result = Parse(line);

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("case submit --node http://127.0.0.1:6400 --applicant 某 --id-number 1", "--item")]
    [InlineData("case show --node http://127.0.0.1:6400", "Required argument missing")]
    [InlineData("case list --node http://127.0.0.1:6400 --status done", "done")]
    [InlineData("case list --node http://127.0.0.1:6400 --limit 0", "--limit is 1 to 1000")]
    [InlineData("case decide " + N + " --node http://127.0.0.1:6400", "exactly one of --approve and --reject")]
    [InlineData("case decide " + N + " --node http://127.0.0.1:6400 --approve --reject", "exactly one of --approve and --reject")]
    [InlineData("case pre-review " + N + " --node http://127.0.0.1:6400", "exactly one of --pass and --fail")]
    [InlineData("case opinion " + N + " --node http://127.0.0.1:6400 --verdict approve", "--department")]
    [InlineData("case opinion " + N + " --node http://127.0.0.1:6400 --department QS --verdict maybe", "maybe")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 6", "--score is 1")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 0", "--score is 1")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 5 --agency AG-001", "--agency and --agency-score together")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 5 --agency-score 4", "--agency and --agency-score together")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 5 --agency AG-001 --agency-score 0", "--agency-score is 1 to 5")]
    [InlineData("case evaluate " + N + " --node http://127.0.0.1:6400 --score 5 --agency AG-001 --agency-score 6", "--agency-score is 1 to 5")]
    [InlineData("case correct " + N + " --node http://127.0.0.1:6400", "--missing")]
    [InlineData("case certificate " + N + " --node http://127.0.0.1:6400", "--certificate")]
    [InlineData("case accept " + N + " --node 127.0.0.1:6400", "not a node URL")]
    public void Parse_InvalidCaseCommand_ErrorNamesTheProblem(string line, string expected)
    {
        var result = Parse(line);

        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_CorrectWithRepeatedMissing_EveryMaterialInOrder()
    {
        var result = Parse("case correct " + N + " --node http://127.0.0.1:6400 --missing 公司章程 --missing 住所使用证明");

        Assert.Empty(result.Errors);
        Assert.Equal(["公司章程", "住所使用证明"], result.GetValue<string[]>("--missing")!);
        Assert.Equal(N, result.GetValue<string>("number"));
    }

    [Fact]
    public void Parse_SubmitWithoutOnline_WindowAndNoClerkGiven()
    {
        var result = Parse("case submit --node http://127.0.0.1:6400 --item VIL-RESIDENCE-CERT --applicant 张三 --id-number 370982199001011234");

        Assert.Empty(result.Errors);
        Assert.False(result.GetValue<bool>("--online"));
        Assert.Null(result.GetValue<string>("--as"));
        Assert.Null(result.GetValue<string>("--department"));
    }

    [Theory]
    [InlineData("city/t01/t01-v01", NodeLevel.Village, "t01", NodeLevel.Township)]
    [InlineData("city/t02", NodeLevel.Township, "city", NodeLevel.City)]
    public void RouteTarget_KnownScope_ParentOneLevelUp(string scope, NodeLevel level, string parent, NodeLevel parentLevel)
    {
        var target = CaseCommands.RouteTarget(new NodeStatus { NodeId = scope.Split('/')[^1], Level = level, Scope = scope }, null);

        Assert.Equal((parent, parentLevel), target);
    }

    [Fact]
    public void RouteTarget_ToGiven_ThatNodeAtTheLevelAbove()
    {
        var target = CaseCommands.RouteTarget(new NodeStatus { NodeId = "t01-v01", Level = NodeLevel.Village, Scope = string.Empty }, "t09");

        Assert.Equal(("t09", NodeLevel.Township), target);
    }

    [Fact]
    public void RouteTarget_ScopeNotKnownYet_FailsAskingForTo()
    {
        var e = Assert.Throws<CommandFailedException>(() =>
            CaseCommands.RouteTarget(new NodeStatus { NodeId = "t01-v01", Level = NodeLevel.Village, Scope = string.Empty }, null));

        Assert.Contains("give --to", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteTarget_AtTheCity_Fails()
    {
        var e = Assert.Throws<CommandFailedException>(() =>
            CaseCommands.RouteTarget(new NodeStatus { NodeId = "city", Level = NodeLevel.City, Scope = "city" }, "t01"));

        Assert.Contains("is the city", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5103", "Cases", null, "window@t01-v01")]
    [InlineData("http://127.0.0.1:5103/", "Operator", null, "operator@t01-v01")]
    [InlineData("http://127.0.0.1:5100", "Cases", "MKT", "mkt@city")]
    [InlineData("http://127.0.0.1:5100", "Operator", null, "admin")]
    [InlineData("http://127.0.0.1:5103", "Administrator", null, "admin")]
    [InlineData("http://127.0.0.1:5999", "Cases", null, "admin")]
    public void ClerkProfile_Choose_ClerkOfTheNodeAndNeed_ElseDefault(string url, string need, string? department, string expected)
    {
        var profile = new ServiceHall.Cli.Profiles.ClerkProfile
        {
            Default = "admin",
            Nodes = { ["city"] = "http://127.0.0.1:5100", ["t01-v01"] = "http://127.0.0.1:5103" },
            Clerks =
            {
                new("admin", "s", "city", "ADM", "administrator"),
                new("mkt@city", "s", "city", "MKT", "reviewer"),
                new("window@city", "s", "city", "ADM", "window"),
                new("operator@t01-v01", "s", "t01-v01", "ADM", "operator"),
                new("window@t01-v01", "s", "t01-v01", "ADM", "window"),
            },
        };
        var chosen = profile.Choose(new Uri(url), Enum.Parse<ServiceHall.Cli.Profiles.ClerkNeed>(need), department);
        Assert.Equal(expected, chosen?.Id);
    }

    [Fact]
    public void CaseNames_EveryStatus_NameReadsBack()
    {
        var statuses = Enum.GetValues<CaseStatus>().Where(s => s != CaseStatus.Unspecified).ToList();

        Assert.Equal(CaseNames.StatusNames, statuses.Select(CaseNames.Status));
        Assert.All(statuses, s => Assert.Equal(s, CaseNames.ParseStatus(CaseNames.Status(s))));
        Assert.Equal(CaseStatus.Unspecified, CaseNames.ParseStatus(null));
    }

    [Theory]
    [InlineData("approve", Opinion.Approve)]
    [InlineData("reject", Opinion.Reject)]
    [InlineData("refer", Opinion.ApproveWithReferral)]
    public void CaseNames_OpinionName_ReadsBackBothWays(string name, Opinion opinion)
    {
        Assert.Equal(opinion, CaseNames.ParseOpinion(name));
        Assert.Equal(name, CaseNames.Opinion(opinion));
    }
}
