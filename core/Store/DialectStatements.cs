using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>
/// What every module's statement class shares (<c>Cases/CaseSql</c>, <c>Catalogue/CatalogueSql</c> …): built once per store
/// dialect, and listed — each public string property — for the parser test through the module's <see cref="StoreComponent"/>.
/// What SQLite and SQL Server spell differently comes from the <see cref="SqlDialect"/>; the rest is portable SQL with named
/// parameters.
/// </summary>
public static class DialectStatements
{
    /// <summary>The statements of <typeparamref name="T"/> in <paramref name="dialect"/>, built by <paramref name="build"/> the first time.</summary>
    public static T For<T>(SqlDialect dialect, Func<SqlDialect, T> build)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(build);
        return Built<T>.ByDialect.GetOrAdd(dialect.Name, static (_, a) => a.build(a.dialect), (dialect, build));
    }

    /// <summary>Every public string property of <paramref name="statements"/>, named <c>domain &lt;name&gt;</c>.</summary>
    public static IEnumerable<StoreStatement> Listed<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T statements)
        where T : class =>
        typeof(T).GetProperties()
            .Where(p => p.PropertyType == typeof(string))
            .Select(p => new StoreStatement("domain " + p.Name, (string)p.GetValue(statements)!));

    private static class Built<T>
    {
        public static readonly ConcurrentDictionary<string, T> ByDialect = new(StringComparer.Ordinal);
    }
}
