using System;
using System.Linq;
using AltinnApp.Core.Api;
using Xunit;

namespace AltinnApp.Core.Tests
{
    /// <summary>An app's process.bpmn as Altinn Studio writes it, read into its tasks in the order the process runs them.</summary>
    public class ProcessDefinitionTests
    {
        // Studio's shape for data → signing → confirmation, the tasks written out of order and a gateway after signing
        private const string ThreeTasks = @"<?xml version=""1.0"" encoding=""UTF-8""?>
<bpmn:definitions xmlns:bpmn=""http://www.omg.org/spec/BPMN/20100524/MODEL"" xmlns:altinn=""http://altinn.no/process"" id=""Altinn_SingleDataTask_Process_Definition"" targetNamespace=""http://bpmn.io/schema/bpmn"">
  <bpmn:process id=""Process_1"" isExecutable=""false"">
    <bpmn:startEvent id=""StartEvent_1""><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id=""Task_3"" name=""Bekreft"">
      <bpmn:extensionElements>
        <altinn:taskExtension>
          <altinn:taskType>confirmation</altinn:taskType>
          <altinn:actions><altinn:action>confirm</altinn:action><altinn:action>reject</altinn:action></altinn:actions>
        </altinn:taskExtension>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:task id=""Task_1"" name=""Utfylling"">
      <bpmn:extensionElements><altinn:taskExtension><altinn:taskType>data</altinn:taskType></altinn:taskExtension></bpmn:extensionElements>
    </bpmn:task>
    <bpmn:task id=""Task_2"" name=""Signering"">
      <bpmn:extensionElements>
        <altinn:taskExtension>
          <altinn:taskType>signing</altinn:taskType>
          <altinn:actions><altinn:action type=""serverAction"">sign</altinn:action></altinn:actions>
          <altinn:signatureConfig><altinn:dataTypesToSign><altinn:dataType>model</altinn:dataType></altinn:dataTypesToSign></altinn:signatureConfig>
        </altinn:taskExtension>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:exclusiveGateway id=""Gateway_1"" />
    <bpmn:endEvent id=""EndEvent_1"" />
    <bpmn:sequenceFlow id=""Flow_1"" sourceRef=""StartEvent_1"" targetRef=""Task_1"" />
    <bpmn:sequenceFlow id=""Flow_2"" sourceRef=""Task_1"" targetRef=""Task_2"" />
    <bpmn:sequenceFlow id=""Flow_3"" sourceRef=""Task_2"" targetRef=""Gateway_1"" />
    <bpmn:sequenceFlow id=""Flow_4"" sourceRef=""Gateway_1"" targetRef=""Task_3"" />
    <bpmn:sequenceFlow id=""Flow_5"" sourceRef=""Gateway_1"" targetRef=""Task_1"" />
    <bpmn:sequenceFlow id=""Flow_6"" sourceRef=""Task_3"" targetRef=""EndEvent_1"" />
  </bpmn:process>
</bpmn:definitions>";

        [Fact]
        public void Reads_every_task_in_the_order_the_flows_reach_them()
        {
            var tasks = ProcessDefinition.Parse(ThreeTasks);
            Assert.Equal(new[] { "Task_1", "Task_2", "Task_3" }, tasks.Select(t => t.Id));
            Assert.Equal(new[] { "data", "signing", "confirmation" }, tasks.Select(t => t.TaskType));
            Assert.Equal(new[] { "Utfylling", "Signering", "Bekreft" }, tasks.Select(t => t.Name));
        }

        [Fact]
        public void Reads_the_actions_and_the_one_that_leaves_each_task()
        {
            var tasks = ProcessDefinition.Parse(ThreeTasks);
            Assert.Empty(tasks[0].Actions);
            Assert.Equal(new[] { "sign" }, tasks[1].Actions);
            Assert.Equal(new[] { "confirm", "reject" }, tasks[2].Actions);
            Assert.Equal(new[] { "submit", "sign", "confirm" }, tasks.Select(t => t.LeaveAction));
            Assert.Equal("Task_2 signing (sign)", tasks[1].ToString());
        }

        [Fact]
        public void Reads_the_task_type_of_an_older_process_from_the_task_attribute()
        {
            const string older = @"<bpmn2:definitions xmlns:bpmn2=""http://www.omg.org/spec/BPMN/20100524/MODEL"" xmlns:altinn=""http://altinn.no/process"">
  <bpmn2:process id=""Process_1"">
    <bpmn2:startEvent id=""StartEvent_1"" />
    <bpmn2:task id=""Task_1"" name=""Utfylling"" altinn:tasktype=""data"" />
    <bpmn2:sequenceFlow id=""Flow_1"" sourceRef=""StartEvent_1"" targetRef=""Task_1"" />
  </bpmn2:process>
</bpmn2:definitions>";
            var task = Assert.Single(ProcessDefinition.Parse(older));
            Assert.Equal("data", task.TaskType);
        }

        [Fact]
        public void Puts_tasks_no_flow_reaches_after_the_others_in_document_order()
        {
            var tasks = ProcessDefinition.Parse(ThreeTasks.Replace(@"<bpmn:sequenceFlow id=""Flow_4"" sourceRef=""Gateway_1"" targetRef=""Task_3"" />", ""));
            Assert.Equal(new[] { "Task_1", "Task_2", "Task_3" }, tasks.Select(t => t.Id));
        }

        [Theory]
        [InlineData("")]
        [InlineData("not xml")]
        [InlineData("<definitions><process /></definitions>")]
        [InlineData(@"<bpmn:definitions xmlns:bpmn=""http://www.omg.org/spec/BPMN/20100524/MODEL""><bpmn:process><bpmn:task /></bpmn:process></bpmn:definitions>")]
        public void Refuses_text_that_is_no_bpmn_process(string text)
        {
            Assert.Throws<FormatException>(() => ProcessDefinition.Parse(text));
        }
    }
}
