import { Duration, Stack } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnAuthorizer } from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { type FunctionBindings, StockClubFunction } from './function.ts';

export interface LiveStockAuthorizerProps {
  /** It sends no member messages: no unsubscribe links. */
  readonly bindings: Omit<FunctionBindings, 'unsubscribeUrl'>;
  /** The identity provider whose tokens the API accepts: the authorizer accepts the same ones. */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
}

/** The authorizer's name, which a browser names when it connects (`x-amz-customauthorizer-name`). */
export const liveAuthorizerName = 'stockclub-live';

/**
 * Browsers watching live stock over MQTT over WebSocket (docs/live-stock.md):
 * an IoT Core custom authorizer whose function checks the API's bearer token
 * (the MQTT password) and answers the IoT policy of its role. Signing is off:
 * a browser cannot sign with an authorizer key, and the token is itself the
 * signed credential, verified against the issuer's keys.
 */
export class LiveStockAuthorizer extends Construct {
  readonly authorizer: CfnAuthorizer;

  constructor(scope: Construct, id: string, props: LiveStockAuthorizerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const handler = new StockClubFunction(this, {
      name: 'liveAuthorizer',
      entry: 'functions/iot/live-authorizer.ts',
      description: 'IoT Core custom authorizer of the live stock feed: the API bearer token to an IoT policy by role',
      grants: { tables: {} },
      bindings: { ...props.bindings, unsubscribeUrl: '' },
      // IoT Core waits at most 5 seconds for an authorizer.
      timeout: Duration.seconds(5),
      environment: {
        JWT_ISSUER: props.jwtIssuer,
        JWT_AUDIENCE: props.jwtAudience,
        IOT_ARN_PREFIX: `arn:${stack.partition}:iot:${stack.region}:${stack.account}`,
      },
    });
    this.authorizer = new CfnAuthorizer(this, 'Authorizer', {
      authorizerName: liveAuthorizerName,
      authorizerFunctionArn: handler.function.functionArn,
      signingDisabled: true,
      // A browser's WebSocket carries no headers: `?token=<JWT>` on the upgrade (or the MQTT password).
      tokenKeyName: 'token',
      status: 'ACTIVE',
      enableCachingForHttp: false,
    });
    handler.function.addPermission('FromIot', {
      principal: new ServicePrincipal('iot.amazonaws.com'),
      sourceArn: this.authorizer.attrArn,
      sourceAccount: stack.account,
    });
  }
}
