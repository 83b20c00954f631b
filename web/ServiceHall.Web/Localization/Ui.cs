using System.Globalization;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Web.Localization;

/// <summary>
/// The page texts in Chinese (the default) and English. A text's key is its English wording; <see cref="Zh"/> holds its
/// Chinese. Catalogue data (items, departments) carries both names itself. The culture is the request's UI culture, set
/// by request localization from the language cookie.
/// </summary>
public sealed class Ui
{
    /// <summary>zh-CN, the default.</summary>
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>English.</summary>
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private readonly CatalogueRepository _catalogue;

    /// <summary>Creates the texts over the synced catalogue (for department names).</summary>
    public Ui(CatalogueRepository catalogue)
    {
        _catalogue = catalogue ?? throw new ArgumentNullException(nameof(catalogue));
    }

    /// <summary>True when the page is in English.</summary>
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    /// <summary>The text of an English key in the page's language (the key itself when no Chinese is known).</summary>
    public string this[string english] => IsEnglish ? english : Zh.GetValueOrDefault(english, english);

    /// <summary>A formatted text: the key's translation with <paramref name="args"/> filled in.</summary>
    public string F(string english, params object?[] args) => string.Format(CultureInfo.CurrentCulture, this[english], args);

    /// <summary>An item's name in the page's language.</summary>
    public static string Name(ServiceItem item) => IsEnglish ? item.NameEn : item.Name;

    /// <summary>A department's name in the page's language, with its code; the code alone if the catalogue does not know it.</summary>
    public string Department(string code)
    {
        var d = _catalogue.ListDepartments().FirstOrDefault(x => x.Code == code);
        return d is null ? code : $"{(IsEnglish ? d.NameEn : d.Name)} ({code})";
    }

    /// <summary>A status in the page's language.</summary>
    public string Status(CaseStatus status) => this[status switch
    {
        CaseStatus.Submitted => "Submitted",
        CaseStatus.PreReviewPassed => "Pre-review passed",
        CaseStatus.PreReviewFailed => "Pre-review failed",
        CaseStatus.Accepted => "Accepted, under review",
        CaseStatus.AwaitingCorrection => "Awaiting correction",
        CaseStatus.Approved => "Approved",
        CaseStatus.Rejected => "Rejected",
        CaseStatus.CertificateIssued => "Certificate issued",
        CaseStatus.Delivered => "Delivered",
        CaseStatus.Withdrawn => "Withdrawn",
        _ => "Not submitted",
    }];

    /// <summary>An event kind (an action) in the page's language.</summary>
    public string Event(CaseEventKind kind) => this[kind switch
    {
        CaseEventKind.Submitted => "Submit",
        CaseEventKind.PreReviewPassed => "Pre-review",
        CaseEventKind.PreReviewFailed => "Pre-review failed",
        CaseEventKind.Accepted => "Accept",
        CaseEventKind.CorrectionRequested => "Request correction",
        CaseEventKind.CorrectionSupplied => "Materials supplied",
        CaseEventKind.Routed => "Route up",
        CaseEventKind.OpinionRecorded => "Opinion",
        CaseEventKind.Decided => "Decide",
        CaseEventKind.CertificateIssued => "Issue certificate",
        CaseEventKind.Delivered => "Deliver",
        CaseEventKind.Evaluated => "Evaluation",
        CaseEventKind.Withdrawn => "Withdraw",
        _ => kind.ToString(),
    }];

    /// <summary>An opinion in the page's language.</summary>
    public string Opinion(OpinionKind? opinion) => this[opinion switch
    {
        OpinionKind.Approve => "Approve",
        OpinionKind.Reject => "Reject",
        OpinionKind.ApproveWithReferral => "Approve with referral",
        _ => "Awaiting opinion",
    }];

    /// <summary>A parallel review's outcome in the page's language.</summary>
    public string Outcome(ReviewOutcome outcome) => this[outcome switch
    {
        ReviewOutcome.Pending => "Review pending",
        ReviewOutcome.Approved => "All approved",
        ReviewOutcome.Rejected => "Rejected by a department",
        ReviewOutcome.LeadToDecide => "Lead department to decide",
        _ => "No parallel review",
    }];

    /// <summary>A level in the page's language.</summary>
    public string Level(NodeLevel level) => this[NodeLevels.Name(level)];

    /// <summary>A rating 1–5 with its label (非常满意 … in both languages).</summary>
    public string Rating(int rating) => IsEnglish
        ? rating switch { 5 => "5 very satisfied", 4 => "4 satisfied", 3 => "3 fairly satisfied", 2 => "2 dissatisfied", _ => "1 very dissatisfied" }
        : $"{rating} {Ratings.Label(rating)}";

    /// <summary>A local time as shown on the pages (China Standard Time, minutes).</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.ToOffset(Core.Calendar.WorkingCalendar.ChinaStandardTime).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";

    /// <summary>A date as shown on the pages.</summary>
    public static string Date(DateOnly? d) => d is { } x ? x.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

    /// <summary>Chinese of every English key used by the pages.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Zh = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ServiceHall"] = "政务服务",
        ["Case queue"] = "办件队列",
        ["New case"] = "受理登记",
        ["Catalogue"] = "事项目录",
        ["Review queue"] = "部门审查",
        ["Dashboard"] = "统计看板",
        ["Sign in"] = "登录",
        ["Sign out"] = "退出",
        ["Clerk id"] = "工作人员编号",
        ["Department"] = "部门",
        ["Choose…"] = "请选择…",
        ["Enter your clerk id."] = "请输入工作人员编号。",
        ["Secret"] = "密码",
        ["Enter your secret."] = "请输入密码。",
        ["Unknown clerk id or wrong secret."] = "工作人员编号或密码错误。",
        ["This clerk is disabled."] = "该工作人员已停用。",
        ["Too many failed sign-ins; wait a few minutes and try again."] = "登录失败次数过多，请几分钟后再试。",
        ["Your clerk id and secret are issued by the city's administrator; your department and role come with them."] = "工作人员编号和密码由市级管理员发放，所属部门和角色随账号确定。",
        ["window clerk"] = "窗口人员",
        ["reviewer"] = "审查人员",
        ["manager"] = "负责人",
        ["operator"] = "运维人员",
        ["administrator"] = "管理员",
        ["Not allowed"] = "无权访问",
        ["This case lies outside your node's subtree; it is not shown."] = "该办件不在本账号所属节点的管辖范围内，不予显示。",
        ["You may not file cases at this node."] = "本账号不能在此节点受理办件。",
        ["The dashboard is for managers, operators and administrators of this node."] = "统计看板仅供本节点负责人、运维人员和管理员查看。",
        ["Signed in as {0}, {1}"] = "经办人 {0}，{1}",
        ["node {0} ({1})"] = "节点 {0}（{1}）",
        ["city"] = "市级",
        ["township"] = "乡镇",
        ["village"] = "村（社区）",
        ["Submitted"] = "已提交",
        ["Pre-review passed"] = "预审通过",
        ["Pre-review failed"] = "预审未通过",
        ["Accepted, under review"] = "已受理，审查中",
        ["Awaiting correction"] = "待补正",
        ["Approved"] = "准予",
        ["Rejected"] = "不予",
        ["Certificate issued"] = "已出证",
        ["Delivered"] = "已送达",
        ["Withdrawn"] = "已撤回",
        ["Not submitted"] = "未提交",
        ["Submit"] = "提交",
        ["Pre-review"] = "网上预审",
        ["Accept"] = "受理",
        ["Request correction"] = "一次性告知补正",
        ["Materials supplied"] = "补正材料已交",
        ["Route up"] = "上报",
        ["Opinion"] = "审查意见",
        ["Decide"] = "办结",
        ["Issue certificate"] = "出证",
        ["Deliver"] = "送达",
        ["Evaluation"] = "评价",
        ["Withdraw"] = "撤回",
        ["Approve"] = "同意",
        ["Reject"] = "不同意",
        ["Approve with referral"] = "同意并移送",
        ["Awaiting opinion"] = "待审查",
        ["All statuses"] = "全部状态",
        ["Status"] = "状态",
        ["Filter"] = "筛选",
        ["Case number"] = "办件编号",
        ["Item"] = "事项",
        ["Applicant"] = "申请人",
        ["Submitted at"] = "提交时间",
        ["Due date"] = "办结时限",
        ["Deadline"] = "期限状态",
        ["This field is required."] = "此项必填。",
        ["Review pending"] = "审查中",
        ["All approved"] = "全部同意",
        ["Rejected by a department"] = "有部门不同意",
        ["Lead department to decide"] = "由牵头部门决定",
        ["No parallel review"] = "无并联审批",
        ["Overdue"] = "已超期",
        ["Near due"] = "临近到期",
        ["On time"] = "正常",
        ["Held at"] = "当前所在",
        ["No cases."] = "暂无办件。",
        ["Updates itself as cases arrive."] = "新办件同步到达时自动刷新。",
        ["{0} cases"] = "共 {0} 件",
        ["Service guide"] = "办事指南",
        ["Code"] = "编码",
        ["Category"] = "类别",
        ["Lead department"] = "牵头部门",
        ["Handling level"] = "办理层级",
        ["Legal basis"] = "设定依据",
        ["Conditions"] = "受理条件",
        ["Materials"] = "申请材料",
        ["Copies"] = "份数",
        ["Original"] = "原件",
        ["Copy"] = "复印件",
        ["Required"] = "必需",
        ["Optional"] = "可选",
        ["Legal limit"] = "法定时限",
        ["Promised limit"] = "承诺时限",
        ["{0} working days"] = "{0} 个工作日",
        ["On the spot"] = "即办件",
        ["Fees"] = "收费标准",
        ["Parallel review"] = "并联审批",
        ["Review rule"] = "审批规则",
        ["Silent consent"] = "超时默许",
        ["Review limit"] = "部门审查时限",
        ["Where to apply"] = "办理地点",
        ["Enquiries"] = "咨询电话",
        ["Online pre-review"] = "网上预审",
        ["Yes"] = "是",
        ["No"] = "否",
        ["File a case"] = "受理登记",
        ["Back to the catalogue"] = "返回事项目录",
        ["Applicant name"] = "申请人姓名（名称）",
        ["ID number"] = "证件号码",
        ["Phone"] = "联系电话",
        ["Materials checklist"] = "材料清单",
        ["Tick each material the applicant handed in."] = "逐项核对申请人递交的材料。",
        ["Every required material must be ticked off."] = "必需材料须全部核对。",
        ["Choose the item."] = "请选择事项。",
        ["Due date if accepted today"] = "今日受理的办结时限",
        ["Decided on the spot"] = "当场办结",
        ["Decided at {0} level: the case is routed up after submission."] = "由{0}办理：提交后逐级上报。",
        ["Submit the case"] = "提交办件",
        ["Please correct the marked fields."] = "请修改标出的内容。",
        ["Timeline"] = "办理过程",
        ["Actions"] = "可办理操作",
        ["No action is open to you on this case at this node."] = "在本节点，您对该办件没有可办理的操作。",
        ["Reason"] = "理由",
        ["Missing materials (one per line)"] = "缺少的材料（每行一项）",
        ["Certificate number"] = "证照编号",
        ["Rating"] = "评价等级",
        ["Comment"] = "评价意见",
        ["Agency"] = "中介机构",
        ["Agency score"] = "中介机构评分",
        ["none"] = "无",
        ["Reviews"] = "部门审查",
        ["Conflicts"] = "冲突",
        ["Due"] = "时限",
        ["Working days left"] = "剩余工作日",
        ["Paused (correction)"] = "暂停计时（补正）",
        ["Decision"] = "决定",
        ["by {0} at {1}"] = "{0}，{1}",
        ["The action was refused: {0}"] = "操作未成功：{0}",
        ["Case {0} not found at this node."] = "本节点没有办件 {0}。",
        ["Cases waiting for the opinion of {0}"] = "待{0}审查的办件",
        ["Review opinion"] = "审查意见",
        ["Open"] = "办理",
        ["Totals"] = "总计",
        ["Cases"] = "办件数",
        ["Accepted"] = "已受理",
        ["Decided"] = "已办结",
        ["On-time rate"] = "按时办结率",
        ["On the spot share"] = "即办率",
        ["Within 3 working days"] = "3个工作日内办结",
        ["Average rating"] = "平均评价",
        ["Rated"] = "已评价",
        ["By township"] = "按乡镇",
        ["By item"] = "按事项",
        ["By department"] = "按部门",
        ["Overdue reviews"] = "超期审查",
        ["Sync health of every node"] = "各节点同步状态",
        ["Node"] = "节点",
        ["State"] = "状态",
        ["Last sync"] = "最近同步",
        ["Offline since"] = "离线起始",
        ["Pending changes"] = "待上传变更",
        ["online"] = "在线",
        ["offline"] = "离线",
        ["never"] = "从未同步",
        ["Last error"] = "最近错误",
        ["This node"] = "本节点",
        ["Parent"] = "上级",
        ["Computed at {0}"] = "统计时间 {0}",
        ["This view covers the cases held by this node."] = "统计范围：本节点持有的办件。",
        ["Evaluate the delivered case"] = "对已送达办件进行评价",
        ["Rate the case"] = "提交评价",
        ["5 very satisfied"] = "5 非常满意",
        ["Very satisfied"] = "非常满意",
        ["The department reviews itself: pick the opinion of your department."] = "请给出本部门的审查意见。",
        ["Reason (required to reject)"] = "理由（不同意时必填）",
        ["Approve the case"] = "准予",
        ["Reject the case"] = "不予",
        ["English"] = "English",
        ["中文"] = "中文",
        ["Items of this node's catalogue"] = "本节点目录中的事项",
        ["Refresh"] = "刷新",
    };

    /// <summary>A clerk's role in the page's language.</summary>
    public string Role(ClerkRole role) => this[role switch
    {
        ClerkRole.Window => "window clerk",
        ClerkRole.Reviewer => "reviewer",
        ClerkRole.Manager => "manager",
        ClerkRole.Operator => "operator",
        ClerkRole.Administrator => "administrator",
        _ => role.ToString(),
    }];
}
