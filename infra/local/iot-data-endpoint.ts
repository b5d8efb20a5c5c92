/**
 * The IoT data plane's Publish API on loopback, for the real
 * @aws-sdk/client-iot-data-plane client: `POST /topics/{topic}?qos=1` with
 * the URL-encoded topic in the path and the payload as body, published on
 * the local broker. Handlers reach it through AWS_ENDPOINT_URL_IOT_DATA_PLANE,
 * so their code path is the one they run in AWS. Only Publish is served.
 *
 * The local IAM: a publish must carry a SigV4 signature made with the
 * credentials the endpoint was given (by default those of this process's
 * environment, which the handlers sign with), as IoT Core accepts only
 * callers its policies allow. Anything else is refused with 403 before it
 * reaches the broker: a gate's events topic carries ACKs the gate trusts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, QueryParameterBag } from '@smithy/types';
import type { LocalBroker } from './mqtt.ts';

// IoT Core's message size cap; above it Publish answers 413.
const maxPayloadBytes = 128 * 1024;

// AWS refuses a signature made more than 15 minutes from its clock, so a captured request does not stay valid.
const maxClockSkewMs = 15 * 60 * 1000;

// AWS4-HMAC-SHA256 Credential={key id}/{yyyymmdd}/{region}/{service}/aws4_request, SignedHeaders={a;b}, Signature={hex}
const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const amzDatePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface IotDataEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

interface Refusal {
  readonly type: string;
  readonly message: string;
}

const credentialsFromEnv = (): AwsCredentialIdentity => {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey)
    throw new Error('The IoT data plane endpoint checks signatures against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; set them or pass credentials');
  return { accessKeyId, secretAccessKey };
};

/** Signs the request again with the expected credentials and compares: the refusal AWS would answer, or undefined if the signature holds. */
const refusalOf = async (req: IncomingMessage, body: Buffer, credentials: AwsCredentialIdentity): Promise<Refusal | undefined> => {
  const authorization = authorizationPattern.exec(req.headers.authorization ?? '');
  const signedAt = amzDatePattern.exec(String(req.headers['x-amz-date'] ?? ''));
  if (!authorization || !signedAt) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, accessKeyId, region = '', service = '', signedHeaders = '', signature = ''] = authorization;
  if (accessKeyId !== credentials.accessKeyId)
    return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const [, year, month, day, hours, minutes, seconds] = signedAt;
  const signingDate = new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}Z`);
  if (Math.abs(Date.now() - signingDate.getTime()) > maxClockSkewMs) return { type: 'InvalidSignatureException', message: 'Signature expired' };

  // The signer takes a body hash sent in this header as given: it must be the body's.
  const contentHash = req.headers['x-amz-content-sha256'];
  if (contentHash !== undefined && contentHash !== createHash('sha256').update(body).digest('hex')) {
    return { type: 'InvalidSignatureException', message: 'The x-amz-content-sha256 header does not match the body.' };
  }
  // The path as it came over the wire (still percent-encoded, as the client signed it), the query decoded (the signer encodes it again).
  const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
  const query: QueryParameterBag = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const previous = query[key];
    query[key] = previous === undefined || previous === null ? value : [previous, value].flat();
  }
  const headers = Object.fromEntries(signedHeaders.split(';').map((name) => [name, String(req.headers[name] ?? '')]));
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256') });
  const expected = await signer.sign(
    { method: req.method ?? 'GET', protocol: 'http:', hostname: String(req.headers.host ?? ''), path, query, headers, body },
    { signingDate, signableHeaders: new Set(Object.keys(headers)) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? '';
  if (timingSafeEqual(Buffer.from(expectedSignature.padEnd(64)), Buffer.from(signature))) return undefined;
  return { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
};

export const startIotDataEndpoint = async (broker: LocalBroker, credentials: AwsCredentialIdentity = credentialsFromEnv()): Promise<IotDataEndpoint> => {
  const server = createServer((req, res) => {
    // Errors in the shape the SDK's REST-JSON protocol reads: the type in a header, a message in the body.
    const answer = (status: number, type?: string, message?: string) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) })
        .end(JSON.stringify(message ? { message } : {}));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Read on to the end (answering before would reset the socket), keep no more than the cap.
      if (size <= maxPayloadBytes) chunks.push(chunk);
    });
    const respond = async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const topic = /^\/topics\/(.+)$/.exec(url.pathname)?.[1];
      if (req.method !== 'POST' || !topic)
        return answer(404, 'ResourceNotFoundException', `Only POST /topics/{topic} is served here, not ${req.method} ${url.pathname}`);
      let topicName: string;
      try {
        topicName = decodeURIComponent(topic);
      } catch {
        return answer(400, 'InvalidRequestException', `Topic is not valid URL encoding: ${topic}`);
      }
      if (/[+#]/.test(topicName)) return answer(400, 'InvalidRequestException', `A publish topic cannot hold + or #: ${topicName}`);
      if (size > maxPayloadBytes) return answer(413, 'RequestEntityTooLargeException', `Payload over ${maxPayloadBytes} bytes`);
      const payload = Buffer.concat(chunks);
      const qos = url.searchParams.get('qos') ?? '0';
      if (qos !== '0' && qos !== '1') return answer(400, 'InvalidRequestException', `qos must be 0 or 1, not ${qos}`);
      const refusal = await refusalOf(req, payload, credentials);
      if (refusal) return answer(403, refusal.type, refusal.message);
      broker.publish(topicName, payload, { qos: Number(qos) as 0 | 1, retain: url.searchParams.get('retain') === 'true' }).then(
        () => answer(200),
        (error: Error) => answer(500, 'InternalFailureException', error.message),
      );
    };
    req.on('end', () => void respond().catch((error: Error) => answer(500, 'InternalFailureException', error.message)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
