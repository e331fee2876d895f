using System.Xml.Linq;

namespace AltinnApp.Simulator.Apps;

/// <summary>
/// <c>GET /{org}/{app}/api/v1/meta/process</c> (app-lib <c>ApplicationMetadataController.GetProcess</c>): anonymous, the
/// app's <c>process.bpmn</c> as text/xml. The simulator writes it from the app's process tasks in the shape Altinn Studio
/// gives it (start event, the tasks in order with <c>altinn:taskExtension</c>, end event, sequence flows).
/// </summary>
public static class ProcessDefinitionEndpoint
{
    private static readonly XNamespace Bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private static readonly XNamespace Altinn = "http://altinn.no/process";

    public static void MapProcessDefinition(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/{org}/{app}/api/v1/meta/process", (string org, string app, AppRegistry apps) =>
            apps.Find(org, app) is { } definition
                ? Results.Text(Write(definition), "text/xml; charset=utf-8")
                : Infrastructure.Responses.BareProblem(404));

    public static string Write(AppDefinition definition)
    {
        var process = new XElement(Bpmn + "process", new XAttribute("id", "Process_1"), new XAttribute("isExecutable", "false"),
            new XElement(Bpmn + "startEvent", new XAttribute("id", "StartEvent_1")));
        var previous = "StartEvent_1";
        var flow = 0;
        foreach (var task in definition.Process)
        {
            // "read" is the policy's, not the process's: process.bpmn lists the actions a user takes at the task
            var actions = task.Actions.Where(a => a != "read").Select(a => new XElement(Altinn + "action", a));
            process.Add(new XElement(Bpmn + "task", new XAttribute("id", task.Id), new XAttribute("name", task.Name),
                new XElement(Bpmn + "extensionElements",
                    new XElement(Altinn + "taskExtension",
                        new XElement(Altinn + "taskType", task.Type),
                        new XElement(Altinn + "actions", actions)))));
            process.Add(Flow(++flow, previous, task.Id));
            previous = task.Id;
        }

        process.Add(new XElement(Bpmn + "endEvent", new XAttribute("id", "EndEvent_1")));
        process.Add(Flow(++flow, previous, "EndEvent_1"));
        var definitions = new XElement(Bpmn + "definitions",
            new XAttribute(XNamespace.Xmlns + "bpmn", Bpmn.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "altinn", Altinn.NamespaceName),
            new XAttribute("id", "Altinn_SingleDataTask_Process_Definition"),
            new XAttribute("targetNamespace", "http://bpmn.io/schema/bpmn"),
            process);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), definitions).Declaration + "\n" + definitions;
    }

    private static XElement Flow(int n, string source, string target) =>
        new(Bpmn + "sequenceFlow", new XAttribute("id", $"Flow_{n}"), new XAttribute("sourceRef", source), new XAttribute("targetRef", target));
}
