using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>A module's statements in one store dialect (see <see cref="DialectStatements"/>).</summary>
/// <typeparam name="TSelf">The module's statement class.</typeparam>
public interface IDialectStatements<TSelf>
    where TSelf : class, IDialectStatements<TSelf>
{
    /// <summary>Builds the statements in <paramref name="dialect"/>; called once per dialect, by <see cref="DialectStatements.For{T}"/>.</summary>
    static abstract TSelf Build(SqlDialect dialect);
}

/// <summary>
/// What every module's statement class shares (<c>Cases/CaseSql</c>, <c>Catalogue/CatalogueSql</c> …): built once per store
/// dialect, and listed — each public string property — for the parser test through the module's <see cref="StoreComponent"/>.
/// What SQLite and SQL Server spell differently comes from the <see cref="SqlDialect"/>; the rest is portable SQL with named
/// parameters.
/// </summary>
public static class DialectStatements
{
    /// <summary>The statements of <typeparamref name="T"/> in <paramref name="dialect"/>, built the first time it is asked for.</summary>
    public static T For<T>(SqlDialect dialect)
        where T : class, IDialectStatements<T>
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return Built<T>.ByDialect.GetOrAdd(dialect.Name, static (_, d) => T.Build(d), dialect);
    }

    /// <summary>Every public string property of <typeparamref name="T"/> in <paramref name="dialect"/>, named <c>domain &lt;name&gt;</c>.</summary>
    public static IEnumerable<StoreStatement> Listed<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(SqlDialect dialect)
        where T : class, IDialectStatements<T>
    {
        var statements = For<T>(dialect);
        return typeof(T).GetProperties()
            .Where(p => p.PropertyType == typeof(string))
            .Select(p => new StoreStatement("domain " + p.Name, (string)p.GetValue(statements)!));
    }

    private static class Built<T>
    {
        public static readonly ConcurrentDictionary<string, T> ByDialect = new(StringComparer.Ordinal);
    }
}
