import { describe, expect, it } from 'vitest';
import { block, first, hcl, type Json, resourceBlocks, tfRef } from './support/hcl.ts';

/**
 * Alarms, dashboard and scaling (issue 15): every service, target group and table is watched, and
 * sessions scale on the backlog each task has to work through.
 */

describe('alarms watch every service, target group and table', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const alarms = await hcl('modules/observability/alarms.tf');
  const main = await hcl('modules/observability/main.tf');
  const edge = await hcl('modules/edge/main.tf');
  const data = await hcl('modules/data/main.tf');
  const cluster = await hcl('modules/cluster/main.tf');
  const observability = first((await hcl('modules/stack/observability.tf')).module?.observability);

  it('one running-tasks alarm per ECS service, on Container Insights, which the cluster always has', () => {
    const services = Object.keys(stack.module ?? {}).filter(
      (name) => first(stack.module?.[name]).source === '../service',
    );
    expect(services.sort()).toEqual(['gateway', 'sessions', 'uploads']);
    expect(observability.service_names).toEqual(
      Object.fromEntries(services.map((name) => [name, tfRef(`module.${name}.service_name`)])),
    );
    const alarm = block(alarms, 'aws_cloudwatch_metric_alarm', 'running_tasks');
    expect(alarm.for_each).toBe(tfRef('var.service_names'));
    const metrics = (alarm.metric_query as Json[]).flatMap((q) => (q.metric ?? []) as Json[]);
    expect(metrics.map((m) => `${m.namespace}/${m.metric_name}`).sort()).toEqual([
      'ECS/ContainerInsights/DesiredTaskCount',
      'ECS/ContainerInsights/RunningTaskCount',
    ]);
    expect(first(cluster.resource?.aws_ecs_cluster?.this?.[0]?.setting)).toEqual({
      name: 'containerInsights',
      value: 'enabled',
    });
  });

  it('one unhealthy-targets alarm per target group of the ALB', () => {
    const groups = Object.keys(edge.resource?.aws_lb_target_group ?? {});
    expect(Object.keys(observability.target_group_arn_suffixes).sort()).toEqual(groups.sort());
    for (const group of groups)
      expect(observability.target_group_arn_suffixes[group]).toBe(
        tfRef(`module.edge.${group}_target_group_arn_suffix`),
      );
    const alarm = block(alarms, 'aws_cloudwatch_metric_alarm', 'unhealthy_targets');
    expect(alarm.for_each).toBe(tfRef('var.target_group_arn_suffixes'));
    expect(alarm.metric_name).toBe('UnHealthyHostCount');
  });

  it('one DynamoDB throttling alarm per table', () => {
    const tables = Object.keys(data.resource?.aws_dynamodb_table ?? {});
    expect(tables.length).toBe(4);
    const watched = Object.values(observability.table_names as Record<string, string>).sort();
    expect(watched).toEqual(tables.map((t) => tfRef(`module.data.${t}_table_name`)).sort());
    const alarm = block(alarms, 'aws_cloudwatch_metric_alarm', 'dynamodb_throttles');
    expect(alarm.for_each).toBe(tfRef('var.table_names'));
    const metrics = (alarm.metric_query as Json[]).flatMap((q) => (q.metric ?? []) as Json[]);
    expect(metrics.map((m) => m.metric_name).sort()).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
  });

  it('every alarm, old and new, notifies the topic and says when it is over', () => {
    const all = [
      ...resourceBlocks(main, 'aws_cloudwatch_metric_alarm'),
      ...resourceBlocks(alarms, 'aws_cloudwatch_metric_alarm'),
    ];
    expect(all.length).toBe(6);
    for (const alarm of all) {
      expect(alarm.alarm_actions).toEqual([tfRef('aws_sns_topic.alarms.arn')]);
      expect(alarm.ok_actions).toEqual([tfRef('aws_sns_topic.alarms.arn')]);
    }
  });

  it('there is one dashboard, named after the prefix', async () => {
    const dashboard = await hcl('modules/observability/dashboard.tf');
    expect(resourceBlocks(dashboard, 'aws_cloudwatch_dashboard')).toHaveLength(1);
    expect(block(dashboard, 'aws_cloudwatch_dashboard', 'this').dashboard_name).toBe(tfRef('var.prefix'));
  });
});

describe('sessions scale on the assembly backlog per task', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const service = await hcl('modules/service/main.tf');

  it('the queue policy tracks visible messages / running tasks of this service', () => {
    const policy = block(service, 'aws_appautoscaling_policy', 'queue');
    const config = first(policy.target_tracking_scaling_policy_configuration);
    expect(config.target_value).toBe(tfRef('var.queue_scaling.backlog_per_task_target'));
    const queries = first(config.customized_metric_specification).metrics as Json[];
    const returned = queries.filter((q) => q.return_data === true);
    expect(returned).toHaveLength(1);
    expect(returned[0]?.expression).toBe('visible / running');
    const metric = (id: string) => first(first(queries.find((q) => q.id === id)?.metric_stat).metric);
    expect(metric('visible')).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
    });
    expect(first(metric('visible').dimensions)).toEqual({
      name: 'QueueName',
      value: tfRef('var.queue_scaling.queue_name'),
    });
    expect(metric('running')).toMatchObject({ namespace: 'ECS/ContainerInsights', metric_name: 'RunningTaskCount' });
    expect(metric('running').dimensions).toEqual([
      { name: 'ClusterName', value: tfRef('var.cluster_name') },
      { name: 'ServiceName', value: tfRef('aws_ecs_service.this.name') },
    ]);
  });

  it('on the assembly queue, for sessions only', () => {
    const sessions = first(stack.module?.sessions);
    expect(sessions.queue_scaling).toEqual({
      queue_name: tfRef('module.queues.assembly_queue_name'),
      backlog_per_task_target: tfRef('var.sessions_queue_backlog_target'),
    });
    for (const name of ['gateway', 'uploads']) expect(first(stack.module?.[name]).queue_scaling).toBeUndefined();
  });
});
