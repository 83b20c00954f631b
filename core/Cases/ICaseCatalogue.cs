using System.Data.Common;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Cases;

/// <summary>
/// What the case code needs from the synced catalogue: items, intermediary agencies and the working calendar. The host wires it to the
/// catalogue repository.
/// </summary>
public interface ICaseCatalogue
{
    /// <summary>The service item with this code, or null if the local catalogue does not hold it.</summary>
    ServiceItem? FindItem(string code);

    /// <summary>The intermediary agency with this code, or null if the local catalogue does not hold it.</summary>
    Agency? FindAgency(string code);

    /// <summary>The exception days of the working calendar (days off on weekdays, make-up working days on weekends).</summary>
    IReadOnlyList<CalendarDay> CalendarDays();

    /// <summary>
    /// The exception days as read inside an open transaction of this node's store (so a calendar row written or applied in
    /// it and not yet committed counts). A catalogue that does not live in the store (a test's) gives <see cref="CalendarDays()"/>.
    /// </summary>
    IReadOnlyList<CalendarDay> CalendarDays(DbConnection connection, DbTransaction? transaction) => CalendarDays();
}

/// <summary>Why a case action failed, for mapping to a gRPC status.</summary>
public enum CaseErrorKind
{
    /// <summary>Malformed input: INVALID_ARGUMENT.</summary>
    InvalidArgument = 1,

    /// <summary>No such case or item: NOT_FOUND.</summary>
    NotFound = 2,

    /// <summary>The rules refuse the transition in the case's state: FAILED_PRECONDITION.</summary>
    FailedPrecondition = 3,

    /// <summary>Wrong node level or department: PERMISSION_DENIED.</summary>
    PermissionDenied = 4,
}

/// <summary>A case action refused; nothing was written.</summary>
public sealed class CaseActionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CaseActionException(CaseErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates an <see cref="CaseErrorKind.InvalidArgument"/> exception about one input field.</summary>
    public CaseActionException(string field, string message, CaseErrorKind kind = CaseErrorKind.InvalidArgument)
        : base(message)
    {
        Kind = kind;
        Field = field;
    }

    /// <summary>Creates the exception (kind <see cref="CaseErrorKind.FailedPrecondition"/>).</summary>
    public CaseActionException() : this(CaseErrorKind.FailedPrecondition, "The case action was refused.")
    {
    }

    /// <summary>Creates the exception (kind <see cref="CaseErrorKind.FailedPrecondition"/>).</summary>
    public CaseActionException(string message) : this(CaseErrorKind.FailedPrecondition, message)
    {
    }

    /// <summary>Creates the exception (kind <see cref="CaseErrorKind.FailedPrecondition"/>).</summary>
    public CaseActionException(string message, Exception inner) : base(message, inner) => Kind = CaseErrorKind.FailedPrecondition;

    /// <summary>Why.</summary>
    public CaseErrorKind Kind { get; }

    /// <summary>The input field at fault (request spelling, e.g. <c>applicant_name</c>), or null when the whole action is refused.</summary>
    public string? Field { get; }

    /// <summary>The exception for a verdict of <see cref="CaseRules"/>.</summary>
    public static CaseActionException From(CaseVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new(
            verdict.Kind switch
            {
                RefusalKind.InvalidArgument => CaseErrorKind.InvalidArgument,
                RefusalKind.Permission => CaseErrorKind.PermissionDenied,
                _ => CaseErrorKind.FailedPrecondition,
            },
            verdict.Message);
    }
}
