using System.Collections;
using System.Globalization;
using System.Text;

namespace Hubwire.TestServer.MessagePack;

/// <summary>
/// Helpers behind the TestHub methods that show how a hub protocol maps values
/// (AddOneDay, ReverseBytes, DescribeValue).
/// </summary>
public static class MessagePackProbe
{
    /// <summary>One day later, as a UTC DateTime (Local converted, Unspecified taken as UTC).</summary>
    public static DateTime AddOneDay(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Local => value.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            _ => value,
        };
        return utc.AddDays(1);
    }

    public static byte[] ReverseBytes(byte[] value)
    {
        var copy = (byte[])value.Clone();
        Array.Reverse(copy);
        return copy;
    }

    /// <summary>
    /// "&lt;.NET type&gt;:&lt;value&gt;", e.g. "System.Int64:42", "System.String:hi", "System.Boolean:True",
    /// "System.Double:1.5", "System.Byte[]:010203" (lowercase hex),
    /// "System.DateTime:2024-01-02T03:04:05.0060000Z" (round-trip format, kind shown by the suffix),
    /// "System.Object[]:[System.Int64:1,System.String:a]",
    /// "System.Collections.Generic.Dictionary&lt;System.Object,System.Object&gt;:{System.String:a=System.Int64:1}",
    /// and "null" for null.
    /// </summary>
    public static string DescribeValue(object? value) => Describe(value, 0);

    private static string Describe(object? value, int depth)
    {
        if (value is null)
        {
            return "null";
        }

        return TypeName(value.GetType()) + ":" + Render(value, depth);
    }

    private static string Render(object value, int depth)
    {
        switch (value)
        {
            case string s:
                return s;
            case byte[] bytes:
                return Convert.ToHexStringLower(bytes);
            case DateTime dt:
                return dt.ToString("O", CultureInfo.InvariantCulture);
            case DateTimeOffset dto:
                return dto.ToString("O", CultureInfo.InvariantCulture);
            case double d:
                return d.ToString("R", CultureInfo.InvariantCulture);
            case float f:
                return f.ToString("R", CultureInfo.InvariantCulture);
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
        }

        if (depth >= 16)
        {
            return "...";
        }

        if (value is IDictionary dictionary)
        {
            var parts = new List<string>();
            foreach (DictionaryEntry entry in dictionary)
            {
                parts.Add(Describe(entry.Key, depth + 1) + "=" + Describe(entry.Value, depth + 1));
            }

            return "{" + string.Join(",", parts) + "}";
        }

        if (value is IEnumerable enumerable)
        {
            var parts = new List<string>();
            foreach (var item in enumerable)
            {
                parts.Add(Describe(item, depth + 1));
            }

            return "[" + string.Join(",", parts) + "]";
        }

        return value.ToString() ?? "";
    }

    /// <summary>Full name, with generic arguments written as &lt;A,B&gt; instead of the assembly-qualified form.</summary>
    private static string TypeName(Type type)
    {
        if (type.IsArray)
        {
            return TypeName(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var builder = new StringBuilder(tick >= 0 ? name[..tick] : name);
        builder.Append('<').AppendJoin(",", type.GetGenericArguments().Select(TypeName)).Append('>');
        return builder.ToString();
    }
}
