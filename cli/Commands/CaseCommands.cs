using System.CommandLine;
using Grpc.Net.Client;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary>
/// <c>servicehall case …</c>: file, read and act on cases (办件) at a node, signed in as a clerk of the profile
/// (<see cref="ClerkSession"/>): <c>--as CLERK</c>, else the profile's clerk of the node and of <c>--department D</c>
/// when given, else its window clerk; a decision defaults to the clerk of the item's lead department. The node records
/// the signed-in clerk on the event and decides whether the action is allowed; a refusal prints its status code and
/// message and exits 1.
/// </summary>
internal static class CaseCommands
{
    /// <summary>The <c>case</c> command group.</summary>
    public static Command Create() => new("case", "File, read and act on cases (办件) at a node")
    {
        Submit(),
        Show(),
        List(),
        PreReview(),
        Accept(),
        Correct(),
        Supply(),
        Route(),
        Opinion(),
        Decide(),
        Certificate(),
        Deliver(),
        Evaluate(),
        Withdraw(),
    };

    private static Command Submit()
    {
        var node = CommonOptions.Node();
        var item = new Option<string>("--item") { Description = "Code of the service item, e.g. CITY-BIZ-REG", Required = true };
        var applicant = new Option<string>("--applicant") { Description = "Applicant's name", Required = true };
        var idNumber = new Option<string>("--id-number") { Description = "Applicant's identity document number", Required = true };
        var phone = new Option<string>("--phone") { Description = "Applicant's phone" };
        var online = new Option<bool>("--online") { Description = "Filed online for pre-review (网上预审) instead of at a window" };
        var department = DepartmentOption(departmentRequired: false);
        var json = CommonOptions.Json();
        var cmd = new Command("submit", "File a case at the node; prints its number (with --json, the case)")
        {
            node, item, applicant, idNumber, phone, online, department, json,
        };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var code = parse.GetRequiredValue(item);
            ClerkSession.Use(parse.GetRequiredValue(node), ClerkNeed.Cases, parse.GetValue(department));
            var c = await new Cases.CasesClient(channel).SubmitAsync(
                new SubmitCaseRequest
                {
                    Item = code,
                    ApplicantName = parse.GetRequiredValue(applicant),
                    IdNumber = parse.GetRequiredValue(idNumber),
                    Phone = parse.GetValue(phone) ?? string.Empty,
                    Channel = parse.GetValue(online) ? CaseChannel.Online : CaseChannel.Window,
                },
                deadline: Deadline());
            if (parse.GetValue(json))
            {
                JsonOutput.Write(CaseView.From(c));
            }
            else
            {
                Console.Out.WriteLine(c.Number);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Show()
    {
        var node = CommonOptions.Node();
        var number = NumberArgument();
        var json = CommonOptions.Json();
        var cmd = new Command("show", "One case: its state, deadline, opinions and history as a timeline") { number, node, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var c = await new Cases.CasesClient(channel).GetAsync(new GetCaseRequest { Number = parse.GetRequiredValue(number) }, deadline: Deadline());
            var view = CaseView.From(c);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(view);
            }
            else
            {
                CaseText.WriteCase(view);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command List()
    {
        var node = CommonOptions.Node();
        var status = new Option<string>("--status") { Description = "Only cases of this status" };
        status.AcceptOnlyFromAmong(CaseNames.StatusNames);
        var limit = new Option<int>("--limit") { Description = "At most this many cases, newest first (1–1000)", DefaultValueFactory = _ => 1000 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--limit is 1 to 1000.");
            }
        });
        var json = CommonOptions.Json();
        var cmd = new Command("list", "Cases held by the node, newest first") { node, status, limit, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var reply = await new Cases.CasesClient(channel).ListAsync(
                new ListCasesRequest { Status = CaseNames.ParseStatus(parse.GetValue(status)), Limit = parse.GetValue(limit) },
                deadline: Deadline());
            var cases = reply.Cases.Select(CaseView.From).ToList();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { cases });
            }
            else
            {
                CaseText.WriteList(cases);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command PreReview()
    {
        var pass = new Option<bool>("--pass") { Description = "The application is complete" };
        var fail = new Option<bool>("--fail") { Description = "The application is refused (give --reason)" };
        var reason = new Option<string>("--reason") { Description = "Reason for the applicant; required with --fail" };
        var cmd = CaseAction("pre-review", "Online pre-review (网上预审) at the deciding node: --pass, or --fail --reason", [pass, fail, reason],
            (client, parse, number, department) => client.PreReviewAsync(
                new PreReviewRequest { Number = number, Passed = parse.GetValue(pass), Reason = parse.GetValue(reason) ?? string.Empty },
                deadline: Deadline()).ResponseAsync);
        cmd.Validators.Add(r =>
        {
            if (r.GetValue(pass) == r.GetValue(fail))
            {
                r.AddError("Give exactly one of --pass and --fail.");
            }
        });
        return cmd;
    }

    private static Command Accept() =>
        CaseAction("accept", "Accept (受理) the case at its deciding node: the clock starts", [],
            (client, _, number, _) => client.AcceptAsync(new CaseActionRequest { Number = number }, deadline: Deadline()).ResponseAsync);

    private static Command Correct()
    {
        var missing = new Option<string[]>("--missing")
        {
            Description = "A missing material; repeat for each (all go in one notice, Administrative Licensing Law Art. 32)",
            Required = true,
        };
        return CaseAction("correct", "Request correction (补正) listing every missing material in one notice: the clock pauses", [missing],
            (client, parse, number, department) =>
            {
                var request = new RequestCorrectionRequest { Number = number };
                request.MissingMaterials.AddRange(parse.GetRequiredValue(missing));
                return client.RequestCorrectionAsync(request, deadline: Deadline()).ResponseAsync;
            });
    }

    private static Command Supply() =>
        CaseAction("supply", "The missing materials were supplied: the clock runs again", [],
            (client, _, number, _) => client.SupplyCorrectionAsync(new CaseActionRequest { Number = number }, deadline: Deadline()).ResponseAsync);

    private static Command Route()
    {
        var to = new Option<string>("--to") { Description = "Node routed to; default: the parent of the serving node (from its scope path)" };
        return CaseAction("route", "Route the case one level up (village → township → city), towards the level that decides it", [to],
            async (client, parse, number, _, channel) =>
            {
                var (target, level) = RouteTarget(await ServingNodeAsync(client, channel, number), parse.GetValue(to));
                return await client.RouteAsync(
                    new RouteRequest { Number = number, TargetNode = target, TargetLevel = level },
                    deadline: Deadline());
            });
    }

    private static Command Opinion()
    {
        var verdict = new Option<string>("--verdict") { Description = "approve, reject (give --reason) or refer (approve with referral)", Required = true };
        verdict.AcceptOnlyFromAmong(CaseNames.OpinionNames);
        var reason = new Option<string>("--reason") { Description = "Reasons; required for reject" };
        return CaseAction("opinion", "Record one department's opinion in the parallel review (并联审批), at the deciding node", [verdict, reason],
            (client, parse, number, department) => client.RecordOpinionAsync(
                new RecordOpinionRequest
                {
                    Number = number,
                    Department = department,
                    Opinion = CaseNames.ParseOpinion(parse.GetRequiredValue(verdict)),
                    Reason = parse.GetValue(reason) ?? string.Empty,
                },
                deadline: Deadline()).ResponseAsync,
            departmentRequired: true);
    }

    private static Command Decide()
    {
        var approve = new Option<bool>("--approve") { Description = "Approve the case" };
        var reject = new Option<bool>("--reject") { Description = "Reject the case (give --reason)" };
        var reason = new Option<string>("--reason") { Description = "Reasons; required for a rejection" };
        var cmd = CaseAction("decide", "Decide (办结) the case at its deciding node, by its lead department: --approve or --reject --reason", [approve, reject, reason],
            (client, parse, number, _) => client.DecideAsync(
                new DecideRequest { Number = number, Approved = parse.GetValue(approve), Reason = parse.GetValue(reason) ?? string.Empty },
                deadline: Deadline()).ResponseAsync,
            leadDepartment: true);
        cmd.Validators.Add(r =>
        {
            if (r.GetValue(approve) == r.GetValue(reject))
            {
                r.AddError("Give exactly one of --approve and --reject.");
            }
        });
        return cmd;
    }

    private static Command Certificate()
    {
        var certificate = new Option<string>("--certificate") { Description = "Number of the certificate or licence issued", Required = true };
        return CaseAction("certificate", "Record the certificate or licence issued for an approved case, at its deciding node", [certificate],
            (client, parse, number, department) => client.IssueCertificateAsync(
                new IssueCertificateRequest { Number = number, CertificateNumber = parse.GetRequiredValue(certificate) },
                deadline: Deadline()).ResponseAsync);
    }

    private static Command Deliver() =>
        CaseAction("deliver", "Hand the result to the applicant (送达), at the intake node", [],
            (client, _, number, _) => client.DeliverAsync(new CaseActionRequest { Number = number }, deadline: Deadline()).ResponseAsync);

    private static Command Evaluate()
    {
        var score = new Option<int>("--score")
        {
            Description = "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意",
            Required = true,
        };
        score.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 5)
            {
                r.AddError("--score is 1 (非常不满意) to 5 (非常满意).");
            }
        });
        var comment = new Option<string>("--comment") { Description = "Applicant's comment" };
        var agency = new Option<string>("--agency") { Description = "Code of the intermediary agency (中介机构) that did a job for the case; give --agency-score" };
        var agencyScore = new Option<int>("--agency-score") { Description = "The applicant's 1–5 score of the agency's job (一事一评); with --agency" };
        var cmd = CaseAction("evaluate", "Record the applicant's rating (好差评) of a delivered case, once, and optionally of the agency that did a job for it", [score, comment, agency, agencyScore],
            (client, parse, number, department) => client.EvaluateAsync(
                new EvaluateRequest
                {
                    Number = number,
                    Rating = parse.GetValue(score),
                    Comment = parse.GetValue(comment) ?? string.Empty,
                    Agency = parse.GetValue(agency) ?? string.Empty,
                    AgencyScore = parse.GetValue(agencyScore),
                },
                deadline: Deadline()).ResponseAsync);
        cmd.Validators.Add(r =>
        {
            var named = !string.IsNullOrWhiteSpace(r.GetValue(agency));
            var scored = r.GetResult(agencyScore) is not null;
            if (named != scored)
            {
                r.AddError("Give --agency and --agency-score together.");
            }
            else if (scored && r.GetValue(agencyScore) is < 1 or > 5)
            {
                r.AddError("--agency-score is 1 to 5.");
            }
        });
        return cmd;
    }

    private static Command Withdraw()
    {
        var reason = new Option<string>("--reason") { Description = "Applicant's reason" };
        return CaseAction("withdraw", "Withdraw the case at the applicant's request, before the decision", [reason],
            (client, parse, number, department) => client.WithdrawAsync(
                new WithdrawRequest { Number = number, Reason = parse.GetValue(reason) ?? string.Empty },
                deadline: Deadline()).ResponseAsync);
    }

    private static Command CaseAction(
        string name,
        string description,
        Option[] extra,
        Func<Cases.CasesClient, ParseResult, string, string?, Task<Case>> act,
        bool departmentRequired = false,
        bool leadDepartment = false) =>
        CaseAction(name, description, extra, (client, parse, number, department, _) => act(client, parse, number, department), departmentRequired, leadDepartment);

    /// <summary>
    /// A case action: <c>NUMBER --node URL [--department D] [--json]</c> plus its own options. Picks the clerk (of
    /// <c>--department</c>, else of the item's lead department when <paramref name="leadDepartment"/>, else the window
    /// clerk), calls the node, and prints the case's new status in one line (or the case with <c>--json</c>).
    /// </summary>
    private static Command CaseAction(
        string name,
        string description,
        Option[] extra,
        Func<Cases.CasesClient, ParseResult, string, string?, GrpcChannel, Task<Case>> act,
        bool departmentRequired = false,
        bool leadDepartment = false)
    {
        var number = NumberArgument();
        var node = CommonOptions.Node();
        var department = DepartmentOption(departmentRequired);
        var json = CommonOptions.Json();
        var cmd = new Command(name, description) { number, node };
        foreach (var o in extra)
        {
            cmd.Options.Add(o);
        }

        cmd.Options.Add(department);
        cmd.Options.Add(json);
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var client = new Cases.CasesClient(channel);
            var n = parse.GetRequiredValue(number);
            var dept = parse.GetValue(department);
            if (dept is null && leadDepartment)
            {
                var code = (await client.GetAsync(new GetCaseRequest { Number = n }, deadline: Deadline())).Item;
                dept = (await new Catalogue.CatalogueClient(channel).GetItemAsync(new GetItemRequest { Code = code }, deadline: Deadline())).LeadDepartment;
            }

            ClerkSession.Use(parse.GetRequiredValue(node), ClerkNeed.Cases, dept);
            var c = await act(client, parse, n, dept, channel);
            var view = CaseView.From(c);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(view);
            }
            else
            {
                Console.Out.WriteLine(CaseText.Summary(view));
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Argument<string> NumberArgument() => new("number") { Description = "Case number, e.g. t01-v01-20261127-0001" };

    private static Option<string> DepartmentOption(bool departmentRequired) => new("--department")
    {
        Description = departmentRequired
            ? "The reviewing department, e.g. MKT; acts as the profile's clerk of this department at the node"
            : "Act as the profile's clerk of this department at the node (default: the window clerk; for decide, the item's lead department)",
        Required = departmentRequired,
    };

    /// <summary>
    /// Where a case routed at the node of <paramref name="status"/> goes: <paramref name="to"/> if given, else the node's
    /// parent on its scope path; the level is always one above the node's. Throws <see cref="CommandFailedException"/> when the node is the city or does not know its scope and no target was given.
    /// </summary>
    internal static (string Node, NodeLevel Level) RouteTarget(NodeStatus status, string? to)
    {
        ArgumentNullException.ThrowIfNull(status);
        var level = status.Level switch
        {
            NodeLevel.Village => NodeLevel.Township,
            NodeLevel.Township => NodeLevel.City,
            NodeLevel.City => throw new CommandFailedException($"node {status.NodeId} is the city: a case is not routed further up from it."),
            _ => throw new CommandFailedException($"node {status.NodeId} is not in the node registry; give --to."),
        };
        if (!string.IsNullOrWhiteSpace(to))
        {
            return (to, level);
        }

        var path = status.Scope.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return path.Length >= 2
            ? (path[^2], level)
            : throw new CommandFailedException(
                $"node {status.NodeId} does not know its scope path yet (it learns it at its first sync), so its parent is unknown; give --to.");
    }

    /// <summary>
    /// The node that routes the case: its holder (only the holder routes it), with level and scope from the node registry,
    /// which every clerk may read (node status is for operators).
    /// </summary>
    private static async Task<NodeStatus> ServingNodeAsync(Cases.CasesClient client, GrpcChannel channel, string number)
    {
        var holder = (await client.GetAsync(new GetCaseRequest { Number = number }, deadline: Deadline())).Holder;
        var nodes = await new Catalogue.CatalogueClient(channel).ListNodesAsync(new ListNodesRequest(), deadline: Deadline());
        var node = nodes.Nodes.FirstOrDefault(n => n.Id == holder);
        return new NodeStatus { NodeId = holder, Level = node?.Level ?? NodeLevel.Unspecified, Scope = node?.Scope ?? string.Empty };
    }

    private static DateTime Deadline() => NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout);
}
