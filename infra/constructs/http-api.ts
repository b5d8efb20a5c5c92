import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { corsPolicy } from '../cors.ts';
import { apiFunctionHandler, apiFunctionList, grantsInWords } from '../api-functions.ts';
import { routeKey } from '../routes.ts';
import { type FunctionBindings, StockClubFunction } from './function.ts';

/** API Gateway's default-route throttle: a sane ceiling per account and stage, well above a chain's tills. */
export const apiThrottle = { rateLimit: 500, burstLimit: 1000 } as const;

/** HTTP API access log: one JSON line per request, HTTP API context variables only. */
export const accessLogFields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
} as const;

export interface HttpApiRoutesProps {
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** Origins browsers may call from (`*`: any). */
  readonly corsOrigins: readonly string[];
  /** Everything but the unsubscribe URL, which is this API's. */
  readonly bindings: Omit<FunctionBindings, 'unsubscribeUrl'>;
}

/** The HTTP API: a throttled, logged `$default` stage, the JWT authorizer, and the routes of infra/routes.ts, one function per set of grants (infra/api-functions.ts). */
export class HttpApiRoutes extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The public route that the links in marketing email open. */
  readonly unsubscribeUrl: string;

  constructor(scope: Construct, id: string, props: HttpApiRoutesProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    // API Gateway answers preflights itself, without a token, and adds the headers to every answer.
    this.api = new HttpApi(this, 'Api', {
      apiName: 'stockclub',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: corsPolicy.allowMethods.map((m) => CorsHttpMethod[m]),
        allowHeaders: [...corsPolicy.allowHeaders],
        exposeHeaders: [...corsPolicy.exposeHeaders],
        maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
      },
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(accessLogFields)) },
    });
    this.unsubscribeUrl = `${this.api.apiEndpoint}/unsubscribe`;
    const jwt = new HttpJwtAuthorizer('Jwt', props.jwtIssuer, { jwtAudience: [props.jwtAudience] });
    const bindings = { ...props.bindings, unsubscribeUrl: this.unsubscribeUrl };

    for (const fn of apiFunctionList()) {
      const handler = new StockClubFunction(this, {
        name: fn.name,
        entry: fn.entry,
        handler: apiFunctionHandler,
        // Lambda allows 256 characters: the routes are in the router (and in every log line, as routeKey).
        description: `API, ${fn.routes.length === 1 ? routeKey(fn.routes[0]![1]) : `${fn.routes.length} routes`}; grants: ${grantsInWords(fn.grants)}`.slice(
          0,
          256,
        ),
        grants: fn.grants,
        bindings,
      });
      // One integration and one invoke permission for all the function's routes (a permission per route was a resource per route).
      const integration = new HttpLambdaIntegration(`${fn.name}Integration`, handler.function, { scopePermissionToRoute: false });
      for (const [, route] of fn.routes) {
        const [created] = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.auth === 'public' ? new HttpNoneAuthorizer() : jwt,
        });
        if (route.auth === 'public' && created) {
          Validations.of(created).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design (liveness, the API description, signed unsubscribe links); it needs no token.`,
          });
        }
      }
    }
  }
}
