using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using AltinnApp.Core.Models;

namespace AltinnApp.Core.Api
{
    /// <summary>
    /// The tasks of an app's BPMN process (<c>api/v1/meta/process</c>, the app's <c>config/process/process.bpmn</c>), read
    /// the way app-lib reads it (<c>Internal/Process/Elements</c>): <c>bpmn:task</c> elements with an
    /// <c>altinn:taskExtension</c> holding <c>altinn:taskType</c> and <c>altinn:actions/altinn:action</c>.
    /// </summary>
    public static class ProcessDefinition
    {
        private static readonly XNamespace Bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL";
        private static readonly XNamespace Altinn = "http://altinn.no/process";

        /// <summary>
        /// The tasks in the order the process reaches them: from the start event along the sequence flows (through
        /// gateways, first flow first); tasks no flow reaches follow in document order.
        /// </summary>
        /// <exception cref="FormatException">The text is not a BPMN process.</exception>
        public static IReadOnlyList<AltinnAppTask> Parse(string bpmn)
        {
            XDocument document;
            try
            {
                document = XDocument.Parse(bpmn ?? string.Empty);
            }
            catch (XmlException ex)
            {
                throw new FormatException("the process definition is not XML: " + ex.Message, ex);
            }

            var process = document.Root?.Name == Bpmn + "definitions" ? document.Root.Element(Bpmn + "process") : null;
            if (process == null) throw new FormatException("the process definition has no bpmn:definitions/bpmn:process element");

            var tasks = new List<AltinnAppTask>();
            var byId = new Dictionary<string, AltinnAppTask>(StringComparer.Ordinal);
            foreach (var element in process.Elements(Bpmn + "task"))
            {
                var id = (string)element.Attribute("id");
                if (string.IsNullOrEmpty(id) || byId.ContainsKey(id)) throw new FormatException("a bpmn:task has no id, or one another task has");
                var extension = element.Element(Bpmn + "extensionElements")?.Element(Altinn + "taskExtension");
                // older processes put the type in an attribute of the task (altinn:tasktype)
                var type = Trimmed(extension?.Element(Altinn + "taskType")?.Value) ?? Trimmed((string)element.Attribute(Altinn + "tasktype"));
                var actions = extension?.Element(Altinn + "actions")?.Elements(Altinn + "action")
                    .Select(a => Trimmed(a.Value)).Where(a => a != null).ToArray() ?? new string[0];
                var task = new AltinnAppTask(id, Trimmed((string)element.Attribute("name")), type, actions);
                tasks.Add(task);
                byId[id] = task;
            }

            return InFlowOrder(process, tasks, byId);
        }

        private static IReadOnlyList<AltinnAppTask> InFlowOrder(XElement process, List<AltinnAppTask> tasks, Dictionary<string, AltinnAppTask> byId)
        {
            var flows = process.Elements(Bpmn + "sequenceFlow")
                .Select(f => (Source: (string)f.Attribute("sourceRef"), Target: (string)f.Attribute("targetRef")))
                .Where(f => f.Source != null && f.Target != null)
                .ToLookup(f => f.Source, f => f.Target, StringComparer.Ordinal);

            var ordered = new List<AltinnAppTask>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>(process.Elements(Bpmn + "startEvent").Select(e => (string)e.Attribute("id")).Where(id => id != null));
            while (queue.Count > 0)
            {
                var id = queue.Dequeue();
                if (!seen.Add(id)) continue;
                if (byId.TryGetValue(id, out var task)) ordered.Add(task);
                foreach (var next in flows[id]) queue.Enqueue(next);
            }

            ordered.AddRange(tasks.Where(t => !seen.Contains(t.Id)));
            return ordered;
        }

        private static string Trimmed(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
