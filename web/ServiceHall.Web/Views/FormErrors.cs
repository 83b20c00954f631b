using System.Globalization;
using Microsoft.Extensions.Primitives;
using ServiceHall.Core.Cases;

namespace ServiceHall.Web.Views;

/// <summary>
/// The errors of a posted form by key: a field's name (the form's own keys, compared ignoring case), or
/// <see cref="Form"/> for the form as a whole. Messages are English keys of <see cref="Localization.Ui"/> or the desk's own words.
/// </summary>
public sealed class FormErrors
{
    /// <summary>The key of an error of the whole form.</summary>
    public const string Form = "";

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when no field has an error.</summary>
    public bool IsValid => _errors.Count == 0;

    /// <summary>The messages under <paramref name="key"/> (none when it has no error).</summary>
    public IReadOnlyList<string> this[string key] => _errors.TryGetValue(key, out var list) ? list : [];

    /// <summary>True when <paramref name="key"/> has an error.</summary>
    public bool Has(string key) => _errors.ContainsKey(key);

    /// <summary>Adds <paramref name="message"/> under <paramref name="key"/>.</summary>
    public void Add(string key, string message)
    {
        if (!_errors.TryGetValue(key, out var list))
        {
            _errors[key] = list = [];
        }

        list.Add(message);
    }

    /// <summary>
    /// Adds a refused action: next to the field when the desk named one (through <paramref name="fieldKey"/>, which maps the
    /// desk's field name to the form's), else as the form's own error under <paramref name="formKey"/>.
    /// </summary>
    public void Add(CaseActionException e, string formKey, Func<string, string?> fieldKey)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(fieldKey);
        var key = e.Field is { } f ? fieldKey(f) ?? formKey : formKey;
        // The desk's "<field> is required." reads as the page's own words next to the field; other messages are shown as given.
        var message = e.Field is not null && e.Message == $"{e.Field} is required." ? "This field is required." : e.Message;
        Add(key, message);
    }

    /// <summary>The input's CSS class for <paramref name="key"/>: marked when it has an error.</summary>
    public string Css(string key) => Has(key) ? "input-error" : "";
}

/// <summary>The model of the field-error partial: the form's errors and the key whose messages it shows.</summary>
/// <param name="Desk">The request's desk (for the texts).</param>
/// <param name="Errors">The form's errors.</param>
/// <param name="Key">The key shown.</param>
public sealed record FieldError(Desk Desk, FormErrors Errors, string Key);

/// <summary>Posted values read as form binding read them: the first value; an empty one is none.</summary>
public static class FormValues
{
    /// <summary>The first value, or null when there is none or it is empty.</summary>
    public static string? Text(StringValues values) => values.FirstOrDefault() is { Length: > 0 } value ? value : null;

    /// <summary>
    /// The first value as <typeparamref name="TValue"/>; <paramref name="fallback"/> when there is none; when it does not
    /// parse, <paramref name="fallback"/> and an error under <paramref name="key"/> in <paramref name="errors"/> (if given).
    /// </summary>
    public static TValue Parse<TValue>(StringValues values, TValue fallback, string key, FormErrors? errors = null)
        where TValue : IParsable<TValue>
    {
        if (Text(values) is not { } text)
        {
            return fallback;
        }

        if (TValue.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors?.Add(key, string.Format(CultureInfo.InvariantCulture, "The value '{0}' is not valid.", text));
        return fallback;
    }

    /// <summary>The first value as the enum <typeparamref name="TEnum"/> (by name, or number as binding accepted); <paramref name="fallback"/> otherwise.</summary>
    public static TEnum Enum<TEnum>(StringValues values, TEnum fallback)
        where TEnum : struct, Enum =>
        Text(values) is { } text && System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) ? value : fallback;
}
