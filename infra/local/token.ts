import { parseArgs } from 'node:util';
import { roles, type Role } from '../../shared/domain/principal.ts';
import { signLocalToken } from './auth.ts';

/** `npm run token -- --role store --location STORE-1` prints a bearer token for the local gateway. */
const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'admin' },
    location: { type: 'string', multiple: true },
    member: { type: 'string' },
    gate: { type: 'string' },
    'expires-in': { type: 'string' },
  },
});

const role = values.role as Role;
if (!roles.includes(role)) {
  console.error(`--role must be one of ${roles.join(', ')}`);
  process.exit(2);
}
if ((role === 'store' || role === 'gateway') && !values.location?.length) {
  console.error(`--role ${role} needs --location`);
  process.exit(2);
}
if (role === 'member' && !values.member) {
  console.error('--role member needs --member');
  process.exit(2);
}
if (role === 'gateway' && !values.gate) {
  console.error('--role gateway needs --gate');
  process.exit(2);
}
// The authorizer refuses a token without `exp`, so a lifetime must be a number of seconds.
const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
if (expiresIn !== undefined && !Number.isInteger(expiresIn)) {
  console.error(`--expires-in must be a whole number of seconds, not ${values['expires-in']}`);
  process.exit(2);
}

console.log(
  await signLocalToken({
    role,
    locations: values.location,
    memberId: values.member,
    gateId: values.gate,
    expiresIn,
  }),
);
