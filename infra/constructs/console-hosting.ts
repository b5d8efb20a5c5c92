/**
 * The HQ console in AWS: its static files (web/console, built with esbuild at
 * synth time) in a private S3 bucket that only CloudFront reads (origin
 * access control), served with security headers, plus a `config.json` beside
 * them naming the API and the IoT Core WebSocket endpoint (docs/console.md).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy, writeConsole } from '../../web/console/build.ts';
import { liveAuthorizerName } from './live-stock.ts';

export interface ConsoleHostingProps {
  /** The HTTP API's base URL (`https://{id}.execute-api.{region}.amazonaws.com`). */
  readonly apiUrl: string;
  /** The account's IoT data endpoint (`…-ats.iot.{region}.amazonaws.com`); without it the console runs without live data. */
  readonly iotDataEndpoint?: string;
  /** The IoT Core custom authorizer browsers name when they connect. */
  readonly liveAuthorizerName?: string;
}

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const mqttUrl = props.iotDataEndpoint
      ? `wss://${props.iotDataEndpoint}/mqtt?x-amz-customauthorizer-name=${props.liveAuthorizerName ?? liveAuthorizerName}`
      : '';

    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the console build (public code, no data), rewritten on every deploy; reads go through CloudFront, and the data the console shows is logged where it is served (the API stage access log).',
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'StockClub console: CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy([
            props.apiUrl,
            props.iotDataEndpoint ? `wss://${props.iotDataEndpoint}` : `wss://*.iot.${stack.region}.amazonaws.com`,
          ]),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'StockClub HQ console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // The console routes by hash fragment: every other path is a missing file, answered by the app's page.
      errorResponses: [{ httpStatus: 403, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.minutes(5) }],
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Stores and HQ staff may sign in from anywhere the chain operates; the API, not the static console, decides who sees what.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'A static bundle with GET/HEAD only and no data: nothing for a WAF rule to protect here; the API keeps its own throttling.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Access logs of public static files add cost without telling anything: every data access is logged by the API stage.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; with a custom domain, set a certificate and minimumProtocolVersion TLSv1.2_2021 (docs/console.md).',
      },
    );

    // Built at synth time into a fresh directory, so parallel synths never share one.
    const built = writeConsole(mkdtempSync(join(tmpdir(), 'stockclub-console-')));
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [Source.asset(built), Source.jsonData('config.json', { apiUrl: props.apiUrl, mqttUrl })],
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    // The deployment's provider function (a CDK singleton) and its role live at the stack's root.
    const provider = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    for (const scope of [deployment, ...(provider ? [provider] : [])]) {
      Validations.of(scope).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: "The CDK's BucketDeployment provider writes its logs with the basic execution role; its code and role are the CDK's, not ours.",
        },
        ...[
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Action::s3:DeleteObject*',
          'Action::s3:Abort*',
          'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
          `Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`,
        ].map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason:
            "The CDK's BucketDeployment copies the built console from the CDK asset bucket and syncs every key of the console bucket (deleting stale files): the keys are the build's file names, not known ahead.",
        })),
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            "The CDK's BucketDeployment grants cloudfront:CreateInvalidation and GetInvalidation on '*' to invalidate the console's distribution after a deploy; it offers no narrower grant.",
        },
        {
          id: 'AwsSolutions-L1',
          reason: "The BucketDeployment provider's runtime is chosen by the CDK release (it bundles the AWS CLI); it moves with aws-cdk-lib upgrades.",
        },
      );
    }

    this.url = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'ConsoleUrl', { value: this.url, description: 'The HQ console (add it to corsOrigins so it may call the API)' });
  }
}
