using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hubwire.TestServer.MessagePack;

/// <summary>An extension value of a type this server does not interpret; read and written back as is.</summary>
public sealed record MessagePackExtension(sbyte Type, byte[] Data)
{
    public override string ToString() => $"ext({Type}):{Convert.ToHexStringLower(Data)}";
}

/// <summary>
/// Serializes arbitrary .NET values (hub method results, stream items, invocation arguments) as
/// MessagePack:
/// <list type="bullet">
/// <item>null → nil; bool → bool; every integer type and enum → the smallest int encoding;
/// float → float32; double → float64; decimal → string (invariant); char, Guid, Uri → string;
/// TimeSpan → int64 ticks.</item>
/// <item>byte[], ReadOnlyMemory&lt;byte&gt;, Memory&lt;byte&gt;, ArraySegment&lt;byte&gt; → bin.</item>
/// <item>DateTime, DateTimeOffset → timestamp (extension -1), in UTC.</item>
/// <item>dictionaries → map (keys written like any other value: strings as str, numbers as int);
/// other enumerables → array.</item>
/// <item>System.Text.Json JsonElement (values from JSON clients) → the matching MessagePack value.</item>
/// <item>anything else (anonymous types, POCOs, records) → map of its public instance
/// properties and fields, by name.</item>
/// </list>
/// </summary>
public static class MessagePackValueWriter
{
    private static readonly ConcurrentDictionary<Type, MemberAccessor[]> MembersCache = new();
    private static readonly ConcurrentDictionary<Type, DictionaryShape?> DictionaryShapes = new();

    public static void Write(MessagePackWriter writer, object? value) => Write(writer, value, 0);

    private static void Write(MessagePackWriter writer, object? value, int depth)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                return;
            case string s:
                writer.WriteString(s);
                return;
            case bool b:
                writer.WriteBoolean(b);
                return;
            case int i:
                writer.WriteInt64(i);
                return;
            case long l:
                writer.WriteInt64(l);
                return;
            case double d:
                writer.WriteDouble(d);
                return;
            case float f:
                writer.WriteSingle(f);
                return;
            case byte u8:
                writer.WriteUInt64(u8);
                return;
            case sbyte i8:
                writer.WriteInt64(i8);
                return;
            case short i16:
                writer.WriteInt64(i16);
                return;
            case ushort u16:
                writer.WriteUInt64(u16);
                return;
            case uint u32:
                writer.WriteUInt64(u32);
                return;
            case ulong u64:
                writer.WriteUInt64(u64);
                return;
            case decimal m:
                writer.WriteString(m.ToString(CultureInfo.InvariantCulture));
                return;
            case char c:
                writer.WriteString(c.ToString());
                return;
            case Enum e:
                WriteEnum(writer, e);
                return;
            case DateTime dt:
                writer.WriteTimestamp(dt);
                return;
            case DateTimeOffset dto:
                writer.WriteTimestamp(dto.UtcDateTime);
                return;
            case TimeSpan ts:
                writer.WriteInt64(ts.Ticks);
                return;
            case Guid g:
                writer.WriteString(g.ToString("D"));
                return;
            case Uri uri:
                writer.WriteString(uri.OriginalString);
                return;
            case byte[] bytes:
                writer.WriteBinary(bytes);
                return;
            case ReadOnlyMemory<byte> rom:
                writer.WriteBinary(rom.Span);
                return;
            case Memory<byte> mem:
                writer.WriteBinary(mem.Span);
                return;
            case ArraySegment<byte> segment:
                writer.WriteBinary(segment);
                return;
            case RawResult raw:
                // Already-serialized MessagePack (a client result forwarded as is).
                foreach (var part in raw.RawSerializedData)
                {
                    writer.WriteRaw(part.Span);
                }

                return;
            case MessagePackExtension ext:
                writer.WriteExtension(ext.Type, ext.Data);
                return;
            case JsonElement json:
                // A value that came in through the JSON protocol (e.g. Broadcast from a JSON client).
                WriteJson(writer, json, depth);
                return;
        }

        if (depth >= MessagePackReader.MaxDepth)
        {
            throw new InvalidOperationException(
                $"Cannot serialize {value.GetType()}: nested more than {MessagePackReader.MaxDepth} levels (a reference cycle?).");
        }

        if (value is IDictionary dictionary)
        {
            writer.WriteMapHeader(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                Write(writer, entry.Key, depth + 1);
                Write(writer, entry.Value, depth + 1);
            }

            return;
        }

        var type = value.GetType();
        if (value is IEnumerable enumerable)
        {
            var shape = DictionaryShapes.GetOrAdd(type, DictionaryShape.Find);
            if (shape is not null)
            {
                // Generic dictionaries that are not IDictionary (IReadOnlyDictionary, ExpandoObject, ...).
                var entries = enumerable.Cast<object>().ToList();
                writer.WriteMapHeader(entries.Count);
                foreach (var entry in entries)
                {
                    Write(writer, shape.Key.GetValue(entry), depth + 1);
                    Write(writer, shape.Value.GetValue(entry), depth + 1);
                }

                return;
            }

            var items = value as ICollection ?? enumerable.Cast<object?>().ToList();
            writer.WriteArrayHeader(items.Count);
            foreach (var item in items)
            {
                Write(writer, item, depth + 1);
            }

            return;
        }

        var members = MembersCache.GetOrAdd(type, MemberAccessor.For);
        writer.WriteMapHeader(members.Length);
        foreach (var member in members)
        {
            writer.WriteStringUtf8(member.Utf8Name);
            Write(writer, member.GetValue(value), depth + 1);
        }
    }

    private static void WriteJson(MessagePackWriter writer, JsonElement json, int depth)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteString(json.GetString()!);
                return;
            case JsonValueKind.Number:
                if (json.TryGetInt64(out var l))
                {
                    writer.WriteInt64(l);
                }
                else if (json.TryGetUInt64(out var ul))
                {
                    writer.WriteUInt64(ul);
                }
                else
                {
                    writer.WriteDouble(json.GetDouble());
                }

                return;
            case JsonValueKind.True:
            case JsonValueKind.False:
                writer.WriteBoolean(json.GetBoolean());
                return;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                writer.WriteNil();
                return;
        }

        if (depth >= MessagePackReader.MaxDepth)
        {
            throw new InvalidOperationException($"Cannot serialize JSON nested more than {MessagePackReader.MaxDepth} levels.");
        }

        if (json.ValueKind == JsonValueKind.Array)
        {
            writer.WriteArrayHeader(json.GetArrayLength());
            foreach (var item in json.EnumerateArray())
            {
                WriteJson(writer, item, depth + 1);
            }

            return;
        }

        var properties = json.EnumerateObject().ToList();
        writer.WriteMapHeader(properties.Count);
        foreach (var property in properties)
        {
            writer.WriteString(property.Name);
            WriteJson(writer, property.Value, depth + 1);
        }
    }

    private static void WriteEnum(MessagePackWriter writer, Enum value)
    {
        switch (Type.GetTypeCode(Enum.GetUnderlyingType(value.GetType())))
        {
            case TypeCode.Byte:
            case TypeCode.UInt16:
            case TypeCode.UInt32:
            case TypeCode.UInt64:
                writer.WriteUInt64(Convert.ToUInt64(value, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteInt64(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Key/Value properties of the KeyValuePair a generic dictionary enumerates.</summary>
    private sealed record DictionaryShape(PropertyInfo Key, PropertyInfo Value)
    {
        public static DictionaryShape? Find(Type type)
        {
            foreach (var iface in type.GetInterfaces().Append(type))
            {
                if (!iface.IsGenericType)
                {
                    continue;
                }

                var definition = iface.GetGenericTypeDefinition();
                if (definition != typeof(IDictionary<,>) && definition != typeof(IReadOnlyDictionary<,>))
                {
                    continue;
                }

                var pair = typeof(KeyValuePair<,>).MakeGenericType(iface.GetGenericArguments());
                return new DictionaryShape(pair.GetProperty("Key")!, pair.GetProperty("Value")!);
            }

            return null;
        }
    }

    /// <summary>A public instance property (readable, not an indexer) or field of a POCO.</summary>
    private sealed class MemberAccessor
    {
        private readonly Func<object, object?> _getter;

        private MemberAccessor(string name, Func<object, object?> getter)
        {
            Utf8Name = System.Text.Encoding.UTF8.GetBytes(name);
            _getter = getter;
        }

        public byte[] Utf8Name { get; }

        public object? GetValue(object target) => _getter(target);

        public static MemberAccessor[] For(Type type)
        {
            var members = new List<MemberAccessor>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true })
                {
                    members.Add(new MemberAccessor(property.Name, property.GetValue));
                }
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                members.Add(new MemberAccessor(field.Name, field.GetValue));
            }

            return members.ToArray();
        }
    }
}
