using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microservices.Users.Api.Domain;

/// <summary>
/// JSON the service stores as text and answers as it is (a user's <c>attributes</c>): written straight into the
/// response instead of being parsed into a DOM for every user read and serialised again.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed record RawJson(string Json);

internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(document.RootElement.GetRawText());
    }

    // Validated as it is written: a damaged stored value fails this response, never produces broken JSON.
    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: false);
}
