import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addNagChecks } from '../../infra/nag.ts';
import { apiFunctionList, apiFunctionOf } from '../../infra/api-functions.ts';
import { grantsKey } from '../../infra/grants.ts';
import { routeKey, routeList } from '../../infra/routes.ts';
import { notificationConsumerList } from '../../infra/notifications.ts';
import { queueList, queues } from '../../infra/queues.ts';
import { scheduleList } from '../../infra/schedules.ts';
import { createStockClub, type StockClubStacks } from '../../infra/stack.ts';
import { streamConsumerList } from '../../infra/streams.ts';
import { tableList } from '../../infra/tables.ts';
import { topicRules, topicRuleSql } from '../../infra/topics.ts';

// Bundling is skipped here (cdk synth in CI bundles for real); the template is the same.
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [], jwtIssuer: 'https://idp.example/', jwtAudience: 'stockclub-api' } });

type Resource = { Properties: Record<string, any>; DeletionPolicy?: string };
type Templates = Record<keyof StockClubStacks, Template>;

let stacks: StockClubStacks;
let templates: Templates;

const templatesOf = (of: StockClubStacks): Templates =>
  Object.fromEntries(Object.entries(of).map(([key, stack]) => [key, Template.fromStack(stack)])) as Templates;

beforeAll(() => {
  stacks = createStockClub(newApp(), 'StockClub');
  templates = templatesOf(stacks);
});

/** Resources of a type across the stacks, by logical id (ids are unique across them here). */
const findAll = (type: string, from: Templates = templates): Record<string, Resource> =>
  Object.assign({}, ...Object.values(from).map((t) => t.findResources(type)));
const resourcesOf = (type: string, from: Templates = templates) => Object.values(findAll(type, from));
/** A function's name: its handler's export, or for the API's routers (all `index.handler`) the API function its logical id is made from. */
const nameOf = (logicalId: string, fn: Resource): string =>
  fn.Properties.Handler === 'index.handler'
    ? apiFunctionList().find((api) => logicalId.includes(`${api.name}Function`))!.name
    : String(fn.Properties.Handler).replace(/^index\./, '');
/** Every function by its name (see nameOf). */
const functionsByName = (from: Templates = templates): Record<string, Resource> =>
  Object.fromEntries(Object.entries(findAll('AWS::Lambda::Function', from)).map(([id, fn]) => [nameOf(id, fn), fn]));
/** The function a declaration runs in: a route's API function, else the declaration's own. */
const deployedAs = (name: string): string => apiFunctionOf().get(name)?.name ?? name;
/** The export a cross-stack reference reads, e.g. `StockClubData-InventoryTableArn`. */
const importsIn = (value: unknown): string[] => [...JSON.stringify(value).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]!);

describe('tables', () => {
  it.each(tableList.map((t) => [t.id, t] as const))('%s matches infra/tables.ts and is protected', (_id, definition) => {
    const table = resourcesOf('AWS::DynamoDB::Table').find(
      (t) =>
        JSON.stringify(t.Properties.KeySchema) ===
          JSON.stringify([
            { AttributeName: definition.partitionKey, KeyType: 'HASH' },
            ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
          ]) &&
        (t.Properties.GlobalSecondaryIndexes ?? []).length === definition.indexes.length &&
        t.Properties.StreamSpecification?.StreamViewType === definition.stream,
    );
    expect(table).toBeDefined();
    expect(table!.DeletionPolicy).toBe('Retain');
    expect(table!.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table!.Properties.TimeToLiveSpecification).toEqual(
      definition.timeToLiveAttribute ? { AttributeName: definition.timeToLiveAttribute, Enabled: true } : undefined,
    );
    expect((table!.Properties.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName)).toEqual(definition.indexes.map((i) => i.indexName));
  });

  it('has exactly the tables of infra/tables.ts', () => {
    templates.data.resourceCountIs('AWS::DynamoDB::Table', tableList.length);
    expect(resourcesOf('AWS::DynamoDB::Table')).toHaveLength(tableList.length);
  });
});

describe('functions', () => {
  it('has one arm64 Node 22 function per set of route grants, stream consumer, topic rule, schedule, queue and notification consumer', () => {
    const expected =
      apiFunctionList().length +
      streamConsumerList().length +
      Object.keys(topicRules).length +
      scheduleList().length +
      queueList().length +
      notificationConsumerList().length +
      // The live stock feed's IoT Core custom authorizer.
      1;
    const functions = resourcesOf('AWS::Lambda::Function');
    expect(functions).toHaveLength(expected);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect(fn.Properties.Environment.Variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'stockclub' });
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
    }
    expect(Object.keys(functionsByName()).sort()).toEqual(
      [
        ...apiFunctionList().map((fn) => fn.name),
        ...streamConsumerList().map(([n]) => n),
        ...Object.keys(topicRules),
        ...scheduleList().map(([n]) => n),
        ...queueList().map(([n]) => n),
        ...notificationConsumerList().map(([n]) => n),
        'liveAuthorizer',
      ].sort(),
    );
  });

  it('grants no wildcard actions and uses no managed policies', () => {
    const statements = resourcesOf('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    for (const role of resourcesOf('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('gives read-only routes read-only table access', () => {
    const [name] = routeList().find(([, r]) => r.method === 'GET' && r.auth !== 'public')!;
    const fn = functionsByName()[deployedAs(name)]!;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const policies = resourcesOf('AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId));
    const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions.filter((a: string) => a.startsWith('dynamodb:'))).not.toContain('dynamodb:PutItem');
    expect(actions).toContain('dynamodb:Query');
  });

  it('serves each route from the one function whose grants are exactly its own', () => {
    const functionIds = new Map(Object.entries(findAll('AWS::Lambda::Function')).map(([id, fn]) => [id, nameOf(id, fn)]));
    const integrations = templates.api.findResources('AWS::ApiGatewayV2::Integration');
    const served = new Map<string, string>();
    for (const route of resourcesOf('AWS::ApiGatewayV2::Route')) {
      const integrationId = (route.Properties.Target['Fn::Join'][1] as unknown[]).map((part) => (part as { Ref?: string }).Ref).find(Boolean)!;
      const functionId = integrations[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
      served.set(route.Properties.RouteKey, functionIds.get(functionId)!);
    }
    const grantsOfFunction = new Map(apiFunctionList().map((fn) => [fn.name, grantsKey(fn.grants)]));
    for (const [name, route] of routeList()) {
      const fn = served.get(routeKey(route));
      expect(fn, name).toBe(apiFunctionOf().get(name)!.name);
      expect(grantsOfFunction.get(fn!), name).toBe(grantsKey(route));
    }
    // One function per set of grants: as many as there are distinct sets, each with its own role.
    expect(new Set(grantsOfFunction.values()).size).toBe(grantsOfFunction.size);
    expect(grantsOfFunction.size).toBe(new Set(routeList().map(([, route]) => grantsKey(route))).size);
    const roles = apiFunctionList().map((fn) => functionsByName()[fn.name]!.Properties.Role['Fn::GetAtt'][0]);
    expect(new Set(roles).size).toBe(roles.length);
    // One API-scoped invoke permission per function, not one per route.
    const permitted = resourcesOf('AWS::Lambda::Permission')
      .filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com')
      .map((p) => functionIds.get(p.Properties.FunctionName['Fn::GetAtt'][0]));
    expect(permitted.sort()).toEqual(
      apiFunctionList()
        .map((fn) => fn.name)
        .sort(),
    );
  });

  it("names in each function's environment exactly the tables its role may use", () => {
    const tableArnExports = new Set(tableList.map((t) => `StockClubData-${t.id}TableArn`));
    const policies = resourcesOf('AWS::IAM::Policy');
    let checked = 0;
    for (const fn of resourcesOf('AWS::Lambda::Function')) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const envTables = Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)
        .filter(([name]) => tableList.some((t) => t.envVar === name))
        .flatMap(([, value]) => importsIn(value))
        .sort();
      const grantedTables = [
        ...new Set(
          policies
            .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
            .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
            .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
            .flatMap((s) => importsIn(s.Resource))
            .filter((name) => tableArnExports.has(name)),
        ),
      ].sort();
      expect(envTables, fn.Properties.Handler).toEqual(grantedTables);
      checked += envTables.length;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('keeps failed asynchronous invocations (IoT rules, schedules) in a queue', () => {
    const configs = resourcesOf('AWS::Lambda::EventInvokeConfig');
    const asyncFunctions = [...Object.keys(topicRules), ...scheduleList().map(([n]) => n)];
    expect(configs).toHaveLength(asyncFunctions.length);
    for (const name of asyncFunctions) {
      const config = configs.find((c) => JSON.stringify(c.Properties.FunctionName).includes(`${name}Function`));
      expect(config, name).toBeDefined();
      expect(config!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][1]).toBe('Arn');
      const queueId = config!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
      expect(templates.workers.findResources('AWS::SQS::Queue')[queueId], name).toBeDefined();
    }
  });
});

describe('HTTP API', () => {
  it('has every route of infra/routes.ts, with the JWT authorizer unless public', () => {
    const routes = resourcesOf('AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      routeList()
        .map(([, r]) => routeKey(r))
        .sort(),
    );
    for (const [, route] of routeList()) {
      const resource = routes.find((r) => r.Properties.RouteKey === routeKey(route))!;
      expect(resource.Properties.AuthorizationType).toBe(route.auth === 'public' ? 'NONE' : 'JWT');
    }
    templates.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://idp.example/', Audience: ['stockclub-api'] },
    });
  });

  it('throttles and logs the stage', () => {
    templates.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' })),
      },
    });
  });
  it('answers browsers: CORS from the corsOrigins context, `*` when unset, with the headers a client reads exposed', () => {
    templates.api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['*'],
        AllowHeaders: Match.arrayWith(['authorization', 'idempotency-key', 'if-match']),
        ExposeHeaders: ['etag', 'location', 'idempotent-replayed', 'retry-after'],
        AllowMethods: Match.arrayWith(['GET', 'POST', 'OPTIONS']),
      },
    });
    const app = newApp();
    app.node.setContext('corsOrigins', 'https://console.example, https://shop.example');
    Template.fromStack(createStockClub(app, 'StockClub').api).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://console.example', 'https://shop.example'] },
    });
  });
});

describe('streams, IoT and schedules', () => {
  it.each(streamConsumerList())('maps stream consumer %s with its filters, partial failures and a failure destination', (name, consumer) => {
    templates.workers.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp(`${name}Function`) },
      BatchSize: consumer.batchSize,
      MaximumRetryAttempts: consumer.retryAttempts,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: consumer.filters.map((f) => ({ Pattern: JSON.stringify(f) })) },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it.each(Object.values(topicRules).map((r) => [r.ruleName, r] as const))('has topic rule %s with its SQL and an error action', (_n, rule) => {
    templates.workers.hasResourceProperties('AWS::IoT::TopicRule', {
      RuleName: rule.ruleName,
      TopicRulePayload: {
        Sql: topicRuleSql(rule),
        AwsIotSqlVersion: '2016-03-23',
        Actions: [{ Lambda: Match.anyValue() }],
        ErrorAction: { Sqs: Match.anyValue() },
      },
    });
  });

  it.each(Object.keys(topicRules))('lets only IoT rules of this account invoke %s, and keeps undeliverable messages', (name) => {
    const ruleId = Object.keys(templates.workers.findResources('AWS::IoT::TopicRule')).find((id) => id.includes(`${name}Rule`))!;
    templates.workers.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'iot.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp(`${name}Function`), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    const [errorRole] = resourcesOf('AWS::IAM::Role').filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('iot.amazonaws.com'));
    expect(JSON.stringify(errorRole!.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
  });

  it('lets only the gate ingest publish, and only to gate events topics', () => {
    const publishers = resourcesOf('AWS::IAM::Policy')
      .flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).map((s) => ({ roles: p.Properties.Roles, s })),
      )
      .filter(({ s }) => [s.Action].flat().some((a) => a.startsWith('iot:')))
      // The live feed's publisher has its own test below.
      .filter(({ roles }) => !JSON.stringify(roles).includes('liveLevelsRole'));
    expect(publishers).toHaveLength(Object.keys(topicRules).length);
    for (const { roles, s } of publishers) {
      expect(JSON.stringify(roles)).toMatch(new RegExp(`(${Object.keys(topicRules).join('|')})Role`));
      expect(s.Action).toBe('iot:Publish');
      expect(JSON.stringify(s.Resource)).toMatch(/:topic\/stockclub\/\*\/gates\/\*\/events"/);
    }
  });

  it('lets a gateway publish only under its own location and gate', () => {
    const [policy] = resourcesOf('AWS::IoT::Policy');
    const publish = policy!.Properties.PolicyDocument.Statement.find((s: { Action: string }) => s.Action === 'iot:Publish');
    expect(JSON.stringify(publish.Resource)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: IoT policy variables as the template holds them
      'topic/stockclub/${iot:Connection.Thing.Attributes[locationId]}/gates/${iot:Connection.Thing.ThingName}/reads',
    );
    const statements = policy!.Properties.PolicyDocument.Statement as { Effect: string; Action: string; Resource: unknown }[];
    expect(statements.map((s) => s.Action).sort()).toEqual(['iot:Connect', 'iot:Publish', 'iot:Receive', 'iot:Subscribe']);
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: IoT policy variables as the template holds them
      expect(JSON.stringify(s.Resource)).toContain('${iot:Connection.Thing.ThingName}');
    }
  });

  it.each(scheduleList())('schedules job %s', (_name, schedule) => {
    templates.workers.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() },
    });
  });
});

describe('work queues', () => {
  const producers = (queue: string): string[] =>
    [...scheduleList(), ...routeList(), ...queueList()].filter(([, d]) => 'sendsTo' in d && (d.sendsTo as readonly string[]).includes(queue)).map(([n]) => n);

  for (const [name, queue] of queueList()) {
    it(`feeds ${name} to its worker with partial failures, a dead-letter queue and a concurrency cap`, () => {
      templates.messaging.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: queue.timeoutSeconds * 6,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: queue.maxReceiveCount },
      });
      templates.workers.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: queue.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: queue.maxConcurrency },
      });
    });

    it(`gives exactly the producers of ${name} its URL`, () => {
      const expected = producers(name);
      expect(expected.length).toBeGreaterThan(0);
      const withUrl = Object.entries(functionsByName())
        .filter(([, f]) => queues[name].envVar in (f.Properties.Environment?.Variables ?? {}))
        .map(([fn]) => fn);
      expect(withUrl.sort()).toEqual([...new Set(expected.map(deployedAs))].sort());
    });
  }
});

describe('member messages', () => {
  const messageSenders = (): string[] => [
    ...new Set(
      [...scheduleList(), ...streamConsumerList(), ...routeList(), ...queueList()]
        .filter(([, d]) => 'sendsMessages' in d && d.sendsMessages)
        .map(([n]) => deployedAs(n)),
    ),
  ];
  const messaging = () => {
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        jwtIssuer: 'https://idp.example/',
        jwtAudience: 'stockclub-api',
        emailFrom: 'Club <club@shop.test>',
        smsOriginationNumbers: 'arn:aws:sms-voice:eu-central-1:123456789012:phone-number/phone-1',
      },
    });
    return templatesOf(createStockClub(app, 'StockClub'));
  };

  it('gives the jobs that send messages the SES and SMS settings, and only those jobs', () => {
    const withMessages = messaging();
    const senders = messageSenders();
    expect(senders.length).toBeGreaterThan(0);
    for (const [name, f] of Object.entries(functionsByName(withMessages))) {
      const variables = f.Properties.Environment?.Variables ?? {};
      expect('SES_CONFIGURATION_SET' in variables, name).toBe(senders.includes(name));
      if (senders.includes(name)) expect(variables).toMatchObject({ EMAIL_FROM: 'Club <club@shop.test>', SMS_ORIGINATION_IDENTITY: expect.anything() });
    }
  });

  it('sends from a pool with an opt-out list AWS enforces, and lets only the sending roles send', () => {
    const withMessages = messaging();
    withMessages.messaging.hasResourceProperties('AWS::SMSVOICE::Pool', {
      SelfManagedOptOutsEnabled: false,
      OptOutListName: Match.anyValue(),
      MandatoryKeywords: { STOP: Match.anyValue(), HELP: Match.anyValue() },
    });
    withMessages.messaging.hasResourceProperties('AWS::SES::ConfigurationSet', { SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] } });
    const policies = resourcesOf('AWS::IAM::Policy', withMessages) as {
      Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
    }[];
    const sendStatements = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st) => JSON.stringify(st.Action).includes('ses:SendEmail') || JSON.stringify(st.Action).includes('sms-voice:SendTextMessage'));
    // One email and one SMS statement per sending role.
    const senderRoles = new Set(
      Object.entries(functionsByName(withMessages))
        .filter(([name]) => messageSenders().includes(name))
        .map(([, f]) => f.Properties.Role['Fn::GetAtt'][0]),
    );
    expect(senderRoles.size).toBeGreaterThan(0);
    expect(sendStatements).toHaveLength(2 * senderRoles.size);
    for (const st of sendStatements) expect(JSON.stringify(st.Resource)).not.toMatch(/"\*"/);
  });

  describe('app push (SNS mobile push, context pushApplications)', () => {
    const apnsApp = 'arn:aws:sns:eu-central-1:123456789012:app/APNS/stockclub';
    const fcmApp = 'arn:aws:sns:eu-central-1:123456789012:app/GCM/stockclub';
    const withPush = (pushApplications: string) =>
      new App({
        context: { 'aws:cdk:bundling-stacks': [], jwtIssuer: 'https://idp.example/', jwtAudience: 'stockclub-api', pushApplications },
      });
    type Policy = { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } };
    /** The SNS actions each function's role may take, by handler name, with their resources. */
    const snsGrants = (of: Templates): Record<string, { actions: string[]; resources: unknown[] }> => {
      const policies = resourcesOf('AWS::IAM::Policy', of) as Policy[];
      return Object.fromEntries(
        Object.entries(functionsByName(of)).map(([name, f]) => {
          const role = f.Properties.Role['Fn::GetAtt'][0];
          const statements = policies
            .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
            .flatMap((p) => p.Properties.PolicyDocument.Statement)
            .filter((st) => [st.Action].flat().some((a) => a.startsWith('sns:')));
          return [name, { actions: statements.flatMap((st) => [st.Action].flat()).sort(), resources: statements.flatMap((st) => [st.Resource].flat()) }];
        }),
      );
    };

    it('lets the sending functions make endpoints in, publish to and delete endpoints of the configured applications only', () => {
      const of = templatesOf(createStockClub(withPush(`${apnsApp},${fcmApp}`), 'StockClub'));
      const grants = snsGrants(of);
      const senders = messageSenders();
      for (const sender of senders) {
        expect(grants[sender], sender).toEqual({
          actions: ['sns:CreatePlatformEndpoint', 'sns:DeleteEndpoint', 'sns:Publish'],
          resources: [
            apnsApp,
            fcmApp,
            'arn:aws:sns:eu-central-1:123456789012:endpoint/APNS/stockclub/*',
            'arn:aws:sns:eu-central-1:123456789012:endpoint/GCM/stockclub/*',
          ],
        });
      }
      // Removing a device deletes its endpoint, nothing more; registering one needs no SNS at all (the first push makes the endpoint).
      expect(grants[deployedAs('removeDevice')]).toEqual({
        actions: ['sns:DeleteEndpoint'],
        resources: ['arn:aws:sns:eu-central-1:123456789012:endpoint/APNS/stockclub/*', 'arn:aws:sns:eu-central-1:123456789012:endpoint/GCM/stockclub/*'],
      });
      for (const [name, grant] of Object.entries(grants)) {
        if (!senders.includes(name) && name !== deployedAs('removeDevice')) expect(grant.actions, name).toEqual([]);
      }
      // The senders learn the applications; nobody else does.
      for (const [name, f] of Object.entries(functionsByName(of))) {
        const variables = f.Properties.Environment?.Variables ?? {};
        if (senders.includes(name)) expect(variables, name).toMatchObject({ PUSH_APPLICATION_APNS: apnsApp, PUSH_APPLICATION_FCM: fcmApp });
        else expect('PUSH_APPLICATION_APNS' in variables, name).toBe(false);
      }
    });

    it('grants no push rights without applications configured, and refuses an ARN that is no APNS or GCM application', () => {
      for (const grant of Object.values(snsGrants(templates))) expect(grant.actions).toEqual([]);
      expect(() => createStockClub(withPush('arn:aws:sns:eu-central-1:123456789012:my-topic'), 'StockClub')).toThrow(/pushApplications/);
    });

    it('passes cdk-nag with push configured (the endpoint wildcards acknowledged)', () => {
      const nagged = withPush(`${apnsApp},${fcmApp}`);
      createStockClub(nagged, 'StockClub');
      addNagChecks(nagged);
      expect(() => nagged.synth()).not.toThrow();
    });
  });
});

describe('reports from SES and SMS', () => {
  it('sends bounces and complaints of the member mail to an encrypted topic the mail-events function reads', () => {
    templates.messaging.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: Match.anyValue() } },
    });
    for (const [name] of notificationConsumerList()) {
      templates.workers.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', RedrivePolicy: Match.anyValue() });
      expect(resourcesOf('AWS::Lambda::Function').some((f) => f.Properties.Handler === `index.${name}`)).toBe(true);
    }
    for (const topic of resourcesOf('AWS::SNS::Topic')) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });
});

describe('stack settings', () => {
  it('tags every taggable resource', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::IAM::Role']) {
      for (const resource of resourcesOf(type)) expect(resource.Properties.Tags, type).toContainEqual({ Key: 'app', Value: 'stockclub' });
    }
  });

  it('projects every GSI in full', () => {
    for (const table of resourcesOf('AWS::DynamoDB::Table')) {
      for (const index of table.Properties.GlobalSecondaryIndexes ?? []) expect(index.Projection).toEqual({ ProjectionType: 'ALL' });
    }
  });

  it('needs the JWT issuer and audience, and warns about the placeholder issuer', () => {
    expect(() => createStockClub(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'NoContext')).toThrow(/jwtIssuer/);
    Annotations.fromStack(stacks.api).hasWarning('*', Match.stringLikeRegexp('placeholder'));
  });

  it('warns without an IoT data endpoint and points only the gate ingest at it when given', () => {
    Annotations.fromStack(stacks.workers).hasWarning('*', Match.stringLikeRegexp('iotDataEndpoint'));
    const withEndpoint = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        jwtIssuer: 'https://idp.example/',
        jwtAudience: 'stockclub-api',
        iotDataEndpoint: 'abc-ats.iot.eu-west-1.amazonaws.com',
      },
    });
    const configured = createStockClub(withEndpoint, 'StockClub');
    Annotations.fromStack(configured.workers).hasNoWarning('*', Match.stringLikeRegexp('iotDataEndpoint'));
    const functions = findAll('AWS::Lambda::Function', templatesOf(configured));
    const pointed = Object.values(functions)
      .filter((f) => f.Properties.Environment.Variables.AWS_ENDPOINT_URL_IOT_DATA_PLANE !== undefined)
      .map((f) => f.Properties.Handler as string);
    expect(pointed.sort()).toEqual([...Object.keys(topicRules), 'liveLevels'].map((n) => `index.${n}`).sort());
    expect(Object.values(functions).find((f) => f.Properties.Handler === pointed[0])!.Properties.Environment.Variables.AWS_ENDPOINT_URL_IOT_DATA_PLANE).toBe(
      'https://abc-ats.iot.eu-west-1.amazonaws.com',
    );
  });
});

describe('EPCIS events of sales', () => {
  it('feeds new sales from the inventory stream to epcisSales, which may write the rfid table and no other', () => {
    const mapping = resourcesOf('AWS::Lambda::EventSourceMapping').find((m) => JSON.stringify(m.Properties.FunctionName).includes('epcisSales'));
    expect(mapping?.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], BisectBatchOnFunctionError: true });
    expect(JSON.parse(mapping!.Properties.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { entity: { S: ['SALE'] } } },
    });
    expect(JSON.stringify(mapping!.Properties.EventSourceArn)).toMatch(/Inventory/i);
    const writes = resourcesOf('AWS::IAM::Policy')
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('epcisSalesRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((st) => [st.Action].flat().includes('dynamodb:UpdateItem'));
    expect(writes.length).toBeGreaterThan(0);
    for (const st of writes) {
      expect(JSON.stringify(st.Resource)).toMatch(/Rfid/i);
      expect(JSON.stringify(st.Resource)).not.toMatch(/Inventory|Members/i);
    }
  });
});

describe('live stock', () => {
  const liveTopicArn = /:topic\/stockclub\/live\/levels\/\*"/;

  it('lets the live levels consumer publish to the live topics only, and nothing else touch them; it only reads the inventory table', () => {
    const statements = resourcesOf('AWS::IAM::Policy').flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).map((s) => ({ roles: p.Properties.Roles, s })),
    );
    const live = statements.filter(({ s }) => liveTopicArn.test(JSON.stringify(s.Resource)));
    expect(live).toHaveLength(1);
    expect(JSON.stringify(live[0]!.roles)).toContain('liveLevelsRole');
    expect(live[0]!.s.Action).toBe('iot:Publish');
    const ofLiveRole = statements.filter(({ roles }) => JSON.stringify(roles).includes('liveLevelsRole')).flatMap(({ s }) => [s.Action].flat());
    expect(ofLiveRole.filter((a) => a.startsWith('iot:'))).toEqual(['iot:Publish']);
    // Besides its stream, it reads a hot SKU's level with its shards (docs/hot-skus.md): reads only, never a write.
    const tableActions = ofLiveRole.filter((a) => a.startsWith('dynamodb:') && !/Stream|Shard|Records/.test(a));
    expect(tableActions).toContain('dynamodb:BatchGetItem');
    expect(tableActions.every((a) => /^dynamodb:(BatchGetItem|GetItem|Query|Scan|ConditionCheckItem|DescribeTable|GetRecords|GetShardIterator)$/.test(a))).toBe(
      true,
    );
  });

  it('consumes level changes as they come, with partial batch failures', () => {
    const mapping = resourcesOf('AWS::Lambda::EventSourceMapping').find(
      (m) => JSON.stringify(m.Properties.FilterCriteria).includes('STOCK_LEVEL') && JSON.stringify(m.Properties.FunctionName).includes('liveLevels'),
    );
    expect(mapping?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumBatchingWindowInSeconds: 0,
    });
  });

  it('has an IoT Core custom authorizer on the API token, which only IoT Core may invoke, for that authorizer only', () => {
    const template = templates.api;
    template.hasResourceProperties('AWS::IoT::Authorizer', {
      AuthorizerName: 'stockclub-live',
      SigningDisabled: true,
      Status: 'ACTIVE',
      AuthorizerFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('liveAuthorizer'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'iot.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Authorizer'), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.liveAuthorizer',
      Timeout: 5,
      Environment: { Variables: Match.objectLike({ JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'stockclub-api', IOT_ARN_PREFIX: Match.anyValue() }) },
    });
  });
});

describe('stacks', () => {
  it('keeps what holds data apart: tables, keys and secrets in the data stack only', () => {
    expect(
      Object.keys(templates.data.toJSON().Resources)
        .map((id) => templates.data.toJSON().Resources[id].Type)
        .sort(),
    ).toEqual([...tableList.map(() => 'AWS::DynamoDB::Table'), 'AWS::KMS::Key', 'AWS::SecretsManager::Secret'].sort());
    for (const key of ['messaging', 'api', 'workers'] as const) {
      for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) templates[key].resourceCountIs(type, 0);
    }
  });

  it.each(['data', 'messaging', 'api', 'workers'] as const)("keeps the %s stack well under CloudFormation's 500 resources", (key) => {
    expect(Object.keys(templates[key].toJSON().Resources).length).toBeLessThan(400);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('passes with every acknowledgement justified', () => {
    const nagged = newApp();
    createStockClub(nagged, 'StockClub');
    addNagChecks(nagged);
    expect(() => nagged.synth()).not.toThrow();
    const acknowledgements = nagged.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(30);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const nagged = newApp();
    new Queue(new Stack(nagged, 'Careless'), 'PlainQueue');
    addNagChecks(nagged);
    expect(() => nagged.synth()).toThrow(/AwsSolutions-SQS/);
  });
});

describe('HQ console hosting (docs/console.md)', () => {
  let hosting: Template;
  beforeAll(() => {
    hosting = Template.fromStack(stacks.api.node.scope!.node.findChild('StockClubConsole') as Stack);
  });

  it('keeps the console in a private, encrypted bucket that refuses plain HTTP and that only CloudFront reads', () => {
    hosting.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    const statements = resourcesOf('AWS::S3::BucketPolicy', { console: hosting } as unknown as Templates).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const reads = statements.filter((s: any) => s.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(reads[0].Condition)).toContain('AWS:SourceArn');
    hosting.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  it('serves it over HTTPS with index.html as the root and the security headers (CSP, HSTS, nosniff, DENY, no-referrer)', () => {
    hosting.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: Match.anyValue() }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
      }),
    });
    const [policy] = resourcesOf('AWS::CloudFront::ResponseHeadersPolicy', { console: hosting } as unknown as Templates);
    const security = policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy)).toMatch(/default-src 'self'.*connect-src 'self' .*frame-ancestors 'none'/);
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  it('deploys the built console with a config.json naming the API, and invalidates the distribution', () => {
    const [deployment] = resourcesOf('Custom::CDKBucketDeployment', { console: hosting } as unknown as Templates);
    expect(deployment!.Properties.SourceObjectKeys).toHaveLength(2);
    expect(JSON.stringify(deployment!.Properties.SourceMarkers)).toContain('StockClubApi');
    expect(deployment!.Properties.DistributionPaths).toEqual(['/*']);
  });
});
