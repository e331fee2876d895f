using AltinnApp.Core.Api;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Tests;

/// <summary>
/// Content types as Altinn sees them: the extension table (app-lib-dotnet MimeTypeMap's facts), the data
/// POST/PUT check (DataRestrictionValidation), the multipart part check (RequestPartValidator), and the
/// content type the engine picks or is told.
/// </summary>
public class ContentTypeTests
{
    // ---- the table ----

    [Theory]
    [InlineData(".xml", "application/xml", "text/xml")]
    [InlineData(".zip", "application/zip", "application/x-zip-compressed application/zip-compressed")]
    [InlineData(".odt", "application/vnd.oasis.opendocument.text", "")]
    [InlineData(".ods", "application/vnd.oasis.opendocument.spreadsheet", "")]
    [InlineData(".pdf", "application/pdf", "")]
    [InlineData(".PDF", "application/pdf", "")]
    [InlineData("json", "application/json", "")]
    [InlineData(".3gp", "video/3gpp", "audio/3gpp")]
    [InlineData(".xsd", "text/xml", "")]
    [InlineData(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "")]
    [InlineData(".7z", "application/x-7z-compressed", "")]
    public void The_table_maps_an_extension_as_Altinn_does(string extension, string type, string aliases)
    {
        var mapping = MimeTypes.ForExtension(extension);
        Assert.True(mapping.Known);
        Assert.Equal(type, mapping.Type);
        Assert.Equal(aliases.Split(' ', StringSplitOptions.RemoveEmptyEntries), mapping.Aliases);
    }

    [Fact]
    public void The_table_has_Altinns_six_hundred_extensions_and_an_unknown_one_is_octet_stream()
    {
        Assert.Equal(603, MimeTypes.Count);
        var unknown = MimeTypes.ForFileName("report.qqq");
        Assert.False(unknown.Known);
        Assert.Equal("application/octet-stream", unknown.Type);
        Assert.Empty(unknown.Aliases);
        Assert.Equal("application/xml", MimeTypes.FromFileName("Skjema.XML"));
        Assert.Equal("application/octet-stream", MimeTypes.FromFileName("noextension"));
        // .bin is listed, as octet-stream
        Assert.True(MimeTypes.ForExtension(".bin").Known);
        Assert.Equal("application/octet-stream", MimeTypes.ForExtension(".bin").Type);
    }

    [Fact]
    public void A_mapping_matches_its_type_and_aliases_whole_and_in_any_case()
    {
        var xml = MimeTypes.ForExtension(".xml");
        Assert.True(xml.Matches("application/xml"));
        Assert.True(xml.Matches("TEXT/XML"));
        Assert.False(xml.Matches("text/xml; charset=utf-8"));
        Assert.False(xml.Matches("application/json"));
        Assert.Contains(".xml", MimeTypes.ExtensionsFor("text/xml"));
        Assert.Equal(".pdf", MimeTypes.ExtensionsFor("application/pdf")[0]);
        Assert.Equal(".xml", MimeTypes.ExtensionsFor("application/xml")[0]); // not .asa, which maps there too
    }

    [Fact]
    public void The_table_format_is_read_line_by_line()
    {
        var rows = MimeTypes.Parse(new StringReader("# comment\n\n.a x/y\n.b x/z x/w\n")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(new[] { "x/z", "x/w" }, rows[1].All);
        Assert.Throws<FormatException>(() => MimeTypes.Parse(new StringReader("b x/y\n")).ToList());
    }

    // ---- DataRestrictionValidation (data POST/PUT) ----

    [Theory]
    [InlineData("", "a.json", "application/pdf", ContentTypeRefusal.None)] // no list: no content type check at all
    [InlineData("", "a.qqq", null, ContentTypeRefusal.None)]
    [InlineData("application/pdf", "a.pdf", null, ContentTypeRefusal.Missing)]
    [InlineData("application/pdf|application/json", "a.json", "application/pdf", ContentTypeRefusal.Mismatch)]
    [InlineData("application/pdf", "a.json", "application/json", ContentTypeRefusal.NotAllowed)]
    [InlineData("application/pdf|application/octet-stream", "a.json", "application/json", ContentTypeRefusal.None)]
    [InlineData("application/pdf|application/octet-stream", "a.json", "application/octet-stream", ContentTypeRefusal.None)]
    [InlineData("application/pdf|application/octet-stream", "a.json", "application/pdf", ContentTypeRefusal.Mismatch)] // octet-stream in the list does not lift the extension check
    [InlineData("application/pdf", "a.pdf", "application/octet-stream", ContentTypeRefusal.NotAllowed)] // octet-stream is refused unless allowed
    [InlineData("application/pdf", "a.pdf", "Application/Octet-Stream", ContentTypeRefusal.Mismatch)] // the octet-stream exception is exact
    [InlineData("Application/Octet-Stream", "a.pdf", "application/pdf", ContentTypeRefusal.NotAllowed)] // so is the list's octet-stream
    [InlineData("Application/Octet-Stream", "a.pdf", "application/octet-stream", ContentTypeRefusal.None)] // but the header against the list is any case
    [InlineData("text/plain", "a.txt", "text/plain; charset=utf-8", ContentTypeRefusal.Mismatch)] // parameters are part of the compared value
    [InlineData("text/plain", "a.txt", "TEXT/PLAIN", ContentTypeRefusal.None)]
    [InlineData("text/xml", "a.xml", "text/xml", ContentTypeRefusal.None)]
    [InlineData("text/xml", "a.xml", "application/xml", ContentTypeRefusal.NotAllowed)]
    [InlineData("application/x-zip-compressed", "a.zip", "application/x-zip-compressed", ContentTypeRefusal.None)]
    [InlineData("application/pdf", "a.qqq", "application/pdf", ContentTypeRefusal.Mismatch)] // an unknown extension takes only octet-stream
    [InlineData("application/vnd.oasis.opendocument.text", "a.odt", "application/vnd.oasis.opendocument.text", ContentTypeRefusal.None)]
    public void A_data_upload_is_checked_as_DataRestrictionValidation_does(string allowed, string fileName, string contentType, ContentTypeRefusal expected)
    {
        Assert.Equal(expected, MetadataRules.DataContentTypeRefusal(List(allowed), fileName, contentType));
    }

    // ---- RequestPartValidator (multipart create) ----

    [Theory]
    [InlineData("", "anything/at-all", ContentTypeRefusal.None)]
    [InlineData("application/pdf", "application/pdf", ContentTypeRefusal.None)]
    [InlineData("application/pdf", "application/pdf; charset=utf-8", ContentTypeRefusal.None)] // up to the first ';'
    [InlineData("application/pdf", "application/pdf ;x=y", ContentTypeRefusal.NotAllowed)] // not trimmed
    [InlineData("application/pdf", "Application/PDF", ContentTypeRefusal.NotAllowed)] // case included
    [InlineData("application/octet-stream", "application/pdf", ContentTypeRefusal.NotAllowed)] // no octet-stream wildcard
    [InlineData("application/pdf", "application/octet-stream", ContentTypeRefusal.NotAllowed)]
    [InlineData("application/pdf", null, ContentTypeRefusal.Missing)]
    public void A_multipart_part_is_checked_as_RequestPartValidator_does(string allowed, string contentType, ContentTypeRefusal expected)
    {
        Assert.Equal(expected, MetadataRules.PartContentTypeRefusal(List(allowed), contentType));
    }

    // ---- the content type sent ----

    [Theory]
    [InlineData("", "a.xml", UploadRoute.Data, "application/xml")]
    [InlineData("application/xml", "a.xml", UploadRoute.Data, "application/xml")]
    [InlineData("text/xml", "a.xml", UploadRoute.Data, "text/xml")]
    [InlineData("text/xml", "a.xml", UploadRoute.MultipartCreate, "text/xml")]
    [InlineData("application/zip-compressed", "a.zip", UploadRoute.Data, "application/zip-compressed")]
    [InlineData("application/octet-stream", "a.pdf", UploadRoute.Data, "application/pdf")]
    [InlineData("application/octet-stream", "a.pdf", UploadRoute.MultipartCreate, "application/octet-stream")]
    [InlineData("application/octet-stream", "a.qqq", UploadRoute.Data, "application/octet-stream")]
    [InlineData("application/pdf", "a.png", UploadRoute.Data, "image/png")] // none taken: the extension's type, and the check explains
    public void Without_ContentType_the_first_type_Altinn_takes_is_sent(string allowed, string fileName, UploadRoute route, string expected)
    {
        var type = new AltinnDataType { Id = "attachment", AllowedContentTypes = List(allowed) };
        Assert.Equal(expected, MetadataRules.ChooseContentType(type, fileName, route));
    }

    private static AltinnApplication Application(string allowed) => new()
    {
        Id = "brg/aarsregnskap",
        DataTypes = new List<AltinnDataType> { new() { Id = "attachment", AllowedContentTypes = List(allowed) } },
    };

    private static FileUpload File(string name, string contentType = null) => new()
    {
        FileName = name,
        ContentType = contentType ?? MimeTypes.FromFileName(name),
        ContentTypeGiven = contentType != null,
        Length = 5,
    };

    [Fact]
    public void CheckFile_sends_an_xml_file_as_the_type_the_data_type_allows()
    {
        var app = Application("text/xml");
        var file = File("skjema.xml");
        MetadataRules.CheckFile(app, app.DataTypes[0], file, "AddAttachment", UploadRoute.Data);
        Assert.Equal("text/xml", file.ContentType);
    }

    [Fact]
    public void An_unknown_extension_without_ContentType_is_refused_with_the_fix_for_its_route()
    {
        var app = Application("application/pdf");
        var data = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckFile(app, app.DataTypes[0], File("scan.qqq"), "AddAttachment", UploadRoute.Data));
        Assert.Equal("Altinn.AddAttachment.ContentTypeNotAllowed", data.ErrorId);
        Assert.Contains("does not know (.qqq)", data.Message);
        Assert.Contains("-ContentType cannot change this", data.Message);
        Assert.Contains(".pdf", data.Message);

        var part = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckFile(app, app.DataTypes[0], File("scan.qqq"), "NewInstance", UploadRoute.MultipartCreate));
        Assert.Equal("Altinn.NewInstance.ContentTypeNotAllowed", part.ErrorId);
        Assert.Contains("state it with -ContentType (one of: application/pdf)", part.Message);

        // in a multipart create the stated type is what counts
        var stated = File("scan.qqq", "application/pdf");
        MetadataRules.CheckFile(app, app.DataTypes[0], stated, "NewInstance", UploadRoute.MultipartCreate);
        Assert.Equal("application/pdf", stated.ContentType);
    }

    [Fact]
    public void A_stated_ContentType_is_kept_and_checked_against_the_extension_on_a_data_upload()
    {
        var open = Application("");
        var free = File("data.qqq", "text/csv");
        MetadataRules.CheckFile(open, open.DataTypes[0], free, "AddAttachment", UploadRoute.Data);
        Assert.Equal("text/csv", free.ContentType);

        // a type with no allowedContentTypes: Altinn checks nothing, the module still will not label a .pdf as a PNG
        var relabelled = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckFile(open, open.DataTypes[0], File("a.pdf", "image/png"), "AddAttachment", UploadRoute.Data));
        Assert.Equal("Altinn.AddAttachment.ContentTypeNotAllowed", relabelled.ErrorId);
        Assert.Contains("'a.pdf' is a .pdf file, which is application/pdf", relabelled.Message);

        var app = Application("application/pdf|text/plain");
        var mismatch = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckFile(app, app.DataTypes[0], File("a.txt", "application/pdf"), "AddAttachment", UploadRoute.Data));
        Assert.Equal("Altinn.AddAttachment.ContentTypeNotAllowed", mismatch.ErrorId);
        Assert.Contains("only as text/plain or application/octet-stream", mismatch.Message);
        Assert.Contains("for example .pdf", mismatch.Message);

        var charset = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckFile(app, app.DataTypes[0], File("a.txt", "text/plain; charset=utf-8"), "AddAttachment", UploadRoute.Data));
        Assert.Contains("parameters included", charset.Message);
    }

    [Fact]
    public void A_multipart_part_in_the_wrong_case_says_Altinn_compares_exactly()
    {
        var app = Application("application/pdf");
        var error = Assert.Throws<AltinnArgumentException>(() => MetadataRules.CheckFile(app, app.DataTypes[0], File("a.pdf", "Application/PDF"), "NewInstance", UploadRoute.MultipartCreate));
        Assert.Contains("case included", error.Message);
    }

    [Theory]
    [InlineData("application/pdf", true)]
    [InlineData("text/plain; charset=utf-8", true)]
    [InlineData("application/vnd.oasis.opendocument.text", true)]
    [InlineData("pdf", false)]
    [InlineData("application/", false)]
    [InlineData("*/*", false)]
    [InlineData("image/*", false)]
    [InlineData("text/plain, text/html", false)]
    [InlineData(" ", false)]
    public void A_ContentType_value_must_be_a_media_type(string value, bool valid)
    {
        Assert.Equal(valid, MimeTypes.IsValidContentType(value, out var problem));
        Assert.Equal(valid, problem == null);
    }

    private static List<string> List(string values) => values.Split('|', StringSplitOptions.RemoveEmptyEntries).ToList();
}
