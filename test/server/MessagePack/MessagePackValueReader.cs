using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hubwire.TestServer.MessagePack;

/// <summary>
/// Converts MessagePack values into .NET values of a requested type (hub method parameters,
/// stream items, client results).
/// </summary>
/// <remarks>
/// <para>A value of the wrong kind for the requested type throws <see cref="MessagePackBindingException"/>
/// (the protocol turns it into a binding failure); bytes that are not valid MessagePack throw
/// <see cref="InvalidDataException"/> (the connection is closed).</para>
/// <para>For <see cref="object"/> the natural .NET value is produced: nil → null, bool → bool,
/// any integer → <see cref="long"/> (<see cref="ulong"/> only above long.MaxValue), float32/float64 →
/// <see cref="double"/>, str → string, bin → byte[], timestamp (extension -1) → UTC
/// <see cref="DateTime"/>, other extensions → <see cref="MessagePackExtension"/>, array →
/// object?[], map → Dictionary&lt;object, object?&gt;.</para>
/// </remarks>
public static class MessagePackValueReader
{
    private static readonly ConcurrentDictionary<Type, ObjectShape> ObjectShapes = new();

    public static object? Read(ref MessagePackReader reader, Type type) => Read(ref reader, type, 0);

    public static object? ReadNatural(ref MessagePackReader reader) => ReadNatural(ref reader, 0);

    private static object? ReadNatural(ref MessagePackReader reader, int depth)
    {
        switch (reader.PeekKind())
        {
            case MessagePackKind.Nil:
                reader.TryReadNil();
                return null;
            case MessagePackKind.Boolean:
                return reader.ReadBoolean();
            case MessagePackKind.Integer:
                reader.ReadInteger(out var signed, out var unsigned, out var large);
                return large ? unsigned : signed;
            case MessagePackKind.Float:
                return reader.ReadFloat();
            case MessagePackKind.String:
                return reader.ReadString();
            case MessagePackKind.Binary:
                return reader.ReadBinaryBytes().ToArray();
            case MessagePackKind.Extension:
                var payload = reader.ReadExtension(out var extType);
                return extType == MessagePackReader.TimestampExtensionType
                    ? MessagePackReader.DecodeTimestamp(payload)
                    : new MessagePackExtension(extType, payload.ToArray());
            case MessagePackKind.Array:
            {
                MessagePackReader.CheckDepth(depth);
                var count = reader.ReadArrayHeader();
                var array = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    array[i] = ReadNatural(ref reader, depth + 1);
                }

                return array;
            }

            default:
            {
                MessagePackReader.CheckDepth(depth);
                var count = reader.ReadMapHeader();
                var map = new Dictionary<object, object?>(count);
                for (var i = 0; i < count; i++)
                {
                    var key = ReadNatural(ref reader, depth + 1)
                        ?? throw new MessagePackBindingException("A map key is nil; keys must not be null.");
                    map[key] = ReadNatural(ref reader, depth + 1);
                }

                return map;
            }
        }
    }

    private static object? Read(ref MessagePackReader reader, Type type, int depth)
    {
        if (type == typeof(object))
        {
            return ReadNatural(ref reader, depth);
        }

        if (type == typeof(RawResult))
        {
            // The value exactly as the client sent it, for a server that forwards it untouched.
            var start = reader.Position;
            reader.Skip(depth);
            var raw = reader.Slice(start, reader.Position).ToArray();
            return new RawResult(new ReadOnlySequence<byte>(raw));
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (reader.TryReadNil())
        {
            if (type.IsValueType && underlying is null)
            {
                throw new MessagePackBindingException($"Cannot convert nil to {type}.");
            }

            return null;
        }

        type = underlying ?? type;
        var kind = reader.PeekKind();

        if (type.IsEnum)
        {
            return ReadEnum(ref reader, type, kind);
        }

        switch (Type.GetTypeCode(type))
        {
            case TypeCode.String:
                Expect(kind, MessagePackKind.String, type);
                return reader.ReadString();
            case TypeCode.Boolean:
                Expect(kind, MessagePackKind.Boolean, type);
                return reader.ReadBoolean();
            case TypeCode.SByte:
            case TypeCode.Byte:
            case TypeCode.Int16:
            case TypeCode.UInt16:
            case TypeCode.Int32:
            case TypeCode.UInt32:
            case TypeCode.Int64:
            case TypeCode.UInt64:
                return ReadInteger(ref reader, type, kind);
            case TypeCode.Single:
                return (float)ReadDouble(ref reader, type, kind);
            case TypeCode.Double:
                return ReadDouble(ref reader, type, kind);
            case TypeCode.Decimal:
                if (kind == MessagePackKind.String)
                {
                    var text = reader.ReadString();
                    return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                        ? parsed
                        : throw new MessagePackBindingException($"Cannot convert \"{text}\" to System.Decimal.");
                }

                if (kind == MessagePackKind.Integer)
                {
                    reader.ReadInteger(out var signed, out var unsigned, out var large);
                    return large ? (decimal)unsigned : (decimal)signed;
                }

                return (decimal)ReadDouble(ref reader, type, kind);
            case TypeCode.Char:
                if (kind == MessagePackKind.String)
                {
                    var text = reader.ReadString();
                    return text.Length == 1 ? text[0] : throw new MessagePackBindingException($"Cannot convert \"{text}\" to System.Char.");
                }

                return (char)(ushort)ReadInteger(ref reader, typeof(ushort), kind);
            case TypeCode.DateTime:
                return ReadTimestamp(ref reader, type, kind);
        }

        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(ReadTimestamp(ref reader, type, kind), TimeSpan.Zero);
        }

        if (type == typeof(TimeSpan))
        {
            return new TimeSpan((long)ReadInteger(ref reader, typeof(long), kind));
        }

        if (type == typeof(Guid))
        {
            if (kind == MessagePackKind.Binary)
            {
                var bytes = reader.ReadBinaryBytes();
                return bytes.Length == 16 ? new Guid(bytes) : throw new MessagePackBindingException("A Guid needs 16 bytes.");
            }

            Expect(kind, MessagePackKind.String, type);
            var text = reader.ReadString();
            return Guid.TryParse(text, out var guid) ? guid : throw new MessagePackBindingException($"Cannot convert \"{text}\" to System.Guid.");
        }

        if (type == typeof(Uri))
        {
            Expect(kind, MessagePackKind.String, type);
            return new Uri(reader.ReadString(), UriKind.RelativeOrAbsolute);
        }

        if (kind == MessagePackKind.Binary)
        {
            if (type == typeof(byte[]))
            {
                return reader.ReadBinaryBytes().ToArray();
            }

            if (type == typeof(ReadOnlyMemory<byte>))
            {
                return new ReadOnlyMemory<byte>(reader.ReadBinaryBytes().ToArray());
            }

            if (type == typeof(Memory<byte>))
            {
                return new Memory<byte>(reader.ReadBinaryBytes().ToArray());
            }

            if (type == typeof(ArraySegment<byte>))
            {
                return new ArraySegment<byte>(reader.ReadBinaryBytes().ToArray());
            }
        }

        if (kind == MessagePackKind.Array)
        {
            var elementType = CollectionElementType(type);
            if (elementType is not null)
            {
                return ReadCollection(ref reader, type, elementType, depth);
            }
        }

        if (kind == MessagePackKind.Map)
        {
            var dictionaryTypes = DictionaryTypes(type);
            if (dictionaryTypes is not null)
            {
                return ReadDictionary(ref reader, type, dictionaryTypes.Value.Key, dictionaryTypes.Value.Value, depth);
            }

            if (!type.IsAbstract && !type.IsInterface && !IsFrameworkType(type))
            {
                return ReadObject(ref reader, type, depth);
            }
        }

        // Interfaces / base classes the natural value satisfies (IEnumerable, IList, IDictionary, ...).
        var natural = ReadNatural(ref reader, depth);
        if (natural is not null && type.IsInstanceOfType(natural))
        {
            return natural;
        }

        throw new MessagePackBindingException($"Cannot convert {MessagePackReader.Describe(kind)} to {type}.");
    }

    // ----- scalars ----------------------------------------------------------------------------

    private static void Expect(MessagePackKind actual, MessagePackKind expected, Type type)
    {
        if (actual != expected)
        {
            throw new MessagePackBindingException($"Cannot convert {MessagePackReader.Describe(actual)} to {type}.");
        }
    }

    private static object ReadInteger(ref MessagePackReader reader, Type type, MessagePackKind kind)
    {
        long signed;
        ulong unsigned = 0;
        bool large = false;
        if (kind == MessagePackKind.Integer)
        {
            reader.ReadInteger(out signed, out unsigned, out large);
        }
        else if (kind == MessagePackKind.Float)
        {
            // A float with an exact integer value is accepted (3.0 → 3); 3.5 is not.
            var d = reader.ReadFloat();
            if (d != Math.Floor(d) || d < -9.2233720368547758E18 || d >= 9.2233720368547758E18)
            {
                throw new MessagePackBindingException($"Cannot convert {d.ToString("R", CultureInfo.InvariantCulture)} to {type}.");
            }

            signed = (long)d;
        }
        else
        {
            throw new MessagePackBindingException($"Cannot convert {MessagePackReader.Describe(kind)} to {type}.");
        }

        try
        {
            if (large)
            {
                return type == typeof(ulong)
                    ? unsigned
                    : throw new OverflowException();
            }

            return Type.GetTypeCode(type) switch
            {
                TypeCode.SByte => checked((sbyte)signed),
                TypeCode.Byte => checked((byte)signed),
                TypeCode.Int16 => checked((short)signed),
                TypeCode.UInt16 => checked((ushort)signed),
                TypeCode.Int32 => checked((int)signed),
                TypeCode.UInt32 => checked((uint)signed),
                TypeCode.UInt64 => checked((ulong)signed),
                _ => (object)signed,
            };
        }
        catch (OverflowException)
        {
            var text = large ? unsigned.ToString(CultureInfo.InvariantCulture) : signed.ToString(CultureInfo.InvariantCulture);
            throw new MessagePackBindingException($"The integer {text} does not fit in {type}.");
        }
    }

    private static double ReadDouble(ref MessagePackReader reader, Type type, MessagePackKind kind)
    {
        switch (kind)
        {
            case MessagePackKind.Float:
                return reader.ReadFloat();
            case MessagePackKind.Integer:
                reader.ReadInteger(out var signed, out var unsigned, out var large);
                return large ? unsigned : signed;
            default:
                throw new MessagePackBindingException($"Cannot convert {MessagePackReader.Describe(kind)} to {type}.");
        }
    }

    private static DateTime ReadTimestamp(ref MessagePackReader reader, Type type, MessagePackKind kind)
    {
        Expect(kind, MessagePackKind.Extension, type);
        var payload = reader.ReadExtension(out var extType);
        if (extType != MessagePackReader.TimestampExtensionType)
        {
            throw new MessagePackBindingException($"Cannot convert extension type {extType} to {type} (a timestamp is extension type -1).");
        }

        return MessagePackReader.DecodeTimestamp(payload);
    }

    private static object ReadEnum(ref MessagePackReader reader, Type type, MessagePackKind kind)
    {
        if (kind == MessagePackKind.String)
        {
            var text = reader.ReadString();
            return Enum.TryParse(type, text, ignoreCase: true, out var parsed)
                ? parsed!
                : throw new MessagePackBindingException($"\"{text}\" is not a value of {type}.");
        }

        var number = ReadInteger(ref reader, Enum.GetUnderlyingType(type), kind);
        return Enum.ToObject(type, number);
    }

    // ----- collections ----------------------------------------------------------------------------

    /// <summary>
    /// The element type when <paramref name="type"/> can be built from a MessagePack array: T[],
    /// List&lt;T&gt; and the interfaces it implements, or a concrete ICollection&lt;T&gt; with a
    /// parameterless constructor (HashSet&lt;T&gt;, ...).
    /// </summary>
    private static Type? CollectionElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetArrayRank() == 1 ? type.GetElementType() : null;
        }

        if (!type.IsGenericType || type == typeof(string))
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(IEnumerable<>) || definition == typeof(ICollection<>) || definition == typeof(IList<>)
            || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(List<>))
        {
            return type.GetGenericArguments()[0];
        }

        if (type.IsAbstract || type.IsInterface || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        var collection = type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>));
        return collection?.GetGenericArguments()[0];
    }

    private static object ReadCollection(ref MessagePackReader reader, Type type, Type elementType, int depth)
    {
        MessagePackReader.CheckDepth(depth);
        var count = reader.ReadArrayHeader();
        if (type.IsArray)
        {
            var array = Array.CreateInstance(elementType, count);
            for (var i = 0; i < count; i++)
            {
                array.SetValue(Read(ref reader, elementType, depth + 1), i);
            }

            return array;
        }

        var concrete = type.IsInterface ? typeof(List<>).MakeGenericType(elementType) : type;
        var instance = Activator.CreateInstance(concrete)!;
        var add = typeof(ICollection<>).MakeGenericType(elementType).GetMethod("Add")!;
        var argument = new object?[1];
        for (var i = 0; i < count; i++)
        {
            argument[0] = Read(ref reader, elementType, depth + 1);
            add.Invoke(instance, argument);
        }

        return instance;
    }

    /// <summary>Key and value types when <paramref name="type"/> is a generic dictionary we can build.</summary>
    private static (Type Key, Type Value)? DictionaryTypes(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
        {
            var args = type.GetGenericArguments();
            return (args[0], args[1]);
        }

        if (type.IsAbstract || type.IsInterface || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        var dictionary = type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is null)
        {
            return null;
        }

        var types = dictionary.GetGenericArguments();
        return (types[0], types[1]);
    }

    private static object ReadDictionary(ref MessagePackReader reader, Type type, Type keyType, Type valueType, int depth)
    {
        MessagePackReader.CheckDepth(depth);
        var count = reader.ReadMapHeader();
        var concrete = type.IsInterface ? typeof(Dictionary<,>).MakeGenericType(keyType, valueType) : type;
        var instance = Activator.CreateInstance(concrete)!;

        // Indexer set (not Add): a duplicated key keeps the last value, like the natural reading.
        var indexer = typeof(IDictionary<,>).MakeGenericType(keyType, valueType).GetProperty("Item")!;
        var value = new object?[1];
        var index = new object?[1];
        for (var i = 0; i < count; i++)
        {
            index[0] = Read(ref reader, keyType, depth + 1)
                ?? throw new MessagePackBindingException("A map key is nil; keys must not be null.");
            value[0] = Read(ref reader, valueType, depth + 1);
            indexer.SetValue(instance, value[0], index);
        }

        return instance;
    }

    // ----- POCOs -------------------------------------------------------------------------------------

    private static bool IsFrameworkType(Type type) =>
        type.IsPrimitive || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true;

    /// <summary>
    /// Builds a POCO from a map: keys are matched (case-insensitively) to the parameters of its
    /// constructor with the most parameters (records, immutable types) and then to its settable public
    /// properties and fields. Unknown keys are skipped.
    /// </summary>
    private static object ReadObject(ref MessagePackReader reader, Type type, int depth)
    {
        MessagePackReader.CheckDepth(depth);
        var shape = ObjectShapes.GetOrAdd(type, ObjectShape.Create);
        var count = reader.ReadMapHeader();
        var ctorArgs = new object?[shape.CtorParameters.Length];
        for (var i = 0; i < ctorArgs.Length; i++)
        {
            var parameter = shape.CtorParameters[i];
            ctorArgs[i] = parameter.HasDefaultValue ? parameter.DefaultValue
                : parameter.ParameterType.IsValueType ? Activator.CreateInstance(parameter.ParameterType) : null;
        }

        var assignments = new List<(MemberInfo Member, object? Value)>();
        for (var i = 0; i < count; i++)
        {
            if (reader.PeekKind() != MessagePackKind.String)
            {
                reader.Skip(depth + 1);
                reader.Skip(depth + 1);
                continue;
            }

            var name = reader.ReadString();
            if (shape.CtorIndex.TryGetValue(name, out var position))
            {
                ctorArgs[position] = Read(ref reader, shape.CtorParameters[position].ParameterType, depth + 1);
            }
            else if (shape.Members.TryGetValue(name, out var member))
            {
                var memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
                assignments.Add((member, Read(ref reader, memberType, depth + 1)));
            }
            else
            {
                reader.Skip(depth + 1);
            }
        }

        var instance = shape.Constructor is null ? Activator.CreateInstance(type)! : shape.Constructor.Invoke(ctorArgs);
        foreach (var (member, value) in assignments)
        {
            if (member is PropertyInfo property)
            {
                property.SetValue(instance, value);
            }
            else
            {
                ((FieldInfo)member).SetValue(instance, value);
            }
        }

        return instance;
    }

    private sealed class ObjectShape
    {
        public ConstructorInfo? Constructor { get; private init; }

        public ParameterInfo[] CtorParameters { get; private init; } = Array.Empty<ParameterInfo>();

        public Dictionary<string, int> CtorIndex { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, MemberInfo> Members { get; } = new(StringComparer.OrdinalIgnoreCase);

        public static ObjectShape Create(Type type)
        {
            var constructor = type.GetConstructors()
                .OrderByDescending(c => c.GetParameters().Length)
                .FirstOrDefault();
            if (constructor is null && !type.IsValueType)
            {
                throw new MessagePackBindingException($"Cannot create {type}: it has no public constructor.");
            }

            var shape = new ObjectShape
            {
                Constructor = constructor,
                CtorParameters = constructor?.GetParameters() ?? Array.Empty<ParameterInfo>(),
            };
            for (var i = 0; i < shape.CtorParameters.Length; i++)
            {
                shape.CtorIndex[shape.CtorParameters[i].Name ?? ""] = i;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length == 0 && property.SetMethod is { IsPublic: true })
                {
                    shape.Members.TryAdd(property.Name, property);
                }
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!field.IsInitOnly)
                {
                    shape.Members.TryAdd(field.Name, field);
                }
            }

            return shape;
        }
    }
}
