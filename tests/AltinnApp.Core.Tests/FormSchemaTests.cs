using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using AltinnApp.Core.Api;
using Xunit;

namespace AltinnApp.Core.Tests
{
    /// <summary>A data type's JSON schema as Altinn Studio writes it: fields, types, the XML root, and what a hashtable is checked and written against.</summary>
    public class FormSchemaTests
    {
        // the shape Studio generates for a nested model: the root refers into $defs, fields are ordered, nullables are type arrays
        private const string Nested = @"{
  ""$schema"": ""https://json-schema.org/draft/2020-12/schema"",
  ""@xsdRootElement"": ""Skjema"",
  ""oneOf"": [ { ""$ref"": ""#/$defs/Skjema"" } ],
  ""$defs"": {
    ""Skjema"": {
      ""type"": ""object"",
      ""properties"": {
        ""navn"": { ""type"": ""string"" },
        ""antall"": { ""type"": [""integer"", ""null""] },
        ""dato"": { ""type"": ""string"", ""format"": ""date"" },
        ""adresse"": { ""$ref"": ""#/$defs/Adresse"" },
        ""linjer"": { ""type"": ""array"", ""items"": { ""$ref"": ""#/$defs/Linje"" } }
      },
      ""required"": [ ""navn"" ]
    },
    ""Adresse"": { ""type"": ""object"", ""properties"": { ""gate"": { ""type"": ""string"" }, ""postnr"": { ""type"": ""string"" } } },
    ""Linje"": { ""type"": ""object"", ""properties"": { ""belop"": { ""type"": ""number"" }, ""tekst"": { ""type"": ""string"" } }, ""required"": [ ""belop"" ] }
  }
}";

        private static Dictionary<string, object> Map(params (string Key, object Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

        [Fact]
        public void Fields_come_in_the_models_order_with_paths_types_and_required_flags()
        {
            var schema = FormSchema.Parse(Nested, "model");
            Assert.Equal("Skjema", schema.RootElement);
            var fields = schema.AllFields().ToList();
            Assert.Equal(new[] { "navn", "antall", "dato", "adresse", "adresse.gate", "adresse.postnr", "linjer", "linjer[].belop", "linjer[].tekst" }, fields.Select(f => f.Path));
            Assert.Equal(new[] { "string", "integer", "string (date)", "object", "string", "string", "object[]", "number", "string" }, fields.Select(f => f.DisplayType));
            Assert.True(fields[0].Required);
            Assert.False(fields[1].Required);
            Assert.True(fields.Single(f => f.Path == "linjer[].belop").Required);
        }

        [Fact]
        public void A_schema_sent_as_one_json_string_is_read_the_same()
        {
            var quoted = System.Text.Json.JsonSerializer.Serialize(Nested);
            Assert.Equal("Skjema", FormSchema.Parse(quoted, "model").RootElement);
        }

        [Fact]
        public void Unknown_fields_name_the_field_meant_and_wrong_types_say_what_the_model_takes()
        {
            var schema = FormSchema.Parse(Nested, "model");
            var problems = schema.Check(Map(
                ("nvan", "x"),
                ("antall", "tre"),
                ("adresse", Map(("gata", "Storgata 1"))),
                ("linjer", new List<object> { Map(("belop", "ti")) })));
            Assert.Contains("'nvan' is not a field of the model (did you mean 'navn'?).", problems);
            Assert.Contains("'antall' is the text 'tre'; the model takes a whole number there.", problems);
            Assert.Contains("'adresse.gata' is not a field of the model (did you mean 'adresse.gate'?).", problems);
            Assert.Contains("'linjer[0].belop' is the text 'ti'; the model takes a number there.", problems);
            Assert.Empty(schema.Check(Map(("NAVN", "any case, as Altinn's JSON reader matches"), ("antall", 3), ("linjer", new List<object>()))));
        }

        [Fact]
        public void Prefill_keys_are_dotted_paths_in_any_case_with_dashes_left_out()
        {
            var schema = FormSchema.Parse(Nested, "model");
            Assert.Empty(schema.CheckPrefill(new[] { "navn", "Adresse.Gate", "an-tall" }));
            var problems = schema.CheckPrefill(new[] { "adresse.gatee", "nosuch" });
            Assert.Equal("-Prefill 'adresse.gatee' is not a field of the model (did you mean 'adresse.gate'?).", problems[0]);
            Assert.Equal("-Prefill 'nosuch' is not a field of the model.", problems[1]);
        }

        [Fact]
        public void A_hashtable_is_written_as_the_models_xml_in_the_models_order_under_its_names()
        {
            var schema = FormSchema.Parse(Nested, "model");
            var xml = schema.ToXml(Map(
                ("linjer", new List<object> { Map(("tekst", "a"), ("belop", 1.5m)), Map(("belop", 2)) }),
                ("adresse", Map(("postnr", "0150"), ("GATE", "Storgata 1"))),
                ("NAVN", "Kari"),
                ("antall", null)));
            var root = XDocument.Parse(xml).Root;
            Assert.Equal("Skjema", root.Name.LocalName);
            Assert.Equal(new[] { "navn", "adresse", "linjer", "linjer" }, root.Elements().Select(e => e.Name.LocalName));
            Assert.Equal(new[] { "gate", "postnr" }, root.Element("adresse").Elements().Select(e => e.Name.LocalName));
            Assert.Equal(new[] { "belop", "tekst" }, root.Elements("linjer").First().Elements().Select(e => e.Name.LocalName));
            Assert.Equal("1.5", root.Elements("linjer").First().Element("belop").Value);
            Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", xml);
        }
    }
}
