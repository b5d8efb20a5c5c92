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

console.log(
  await signLocalToken({
    role,
    locations: values.location,
    memberId: values.member,
    gateId: values.gate,
    expiresIn: values['expires-in'] ? Number(values['expires-in']) : undefined,
  }),
);
