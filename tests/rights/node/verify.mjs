// Independent verification of a Serendip credential with Digital Bazaar's libraries:
//   node verify.mjs CREDENTIAL.json DOCUMENTS.json
// DOCUMENTS.json maps every URL the verifier may load (contexts, the issuer's DID document,
// status list credentials) to its document: nothing is fetched from the network.
// Prints {"verified": bool, "error": "..."} and exits 0 when verified, 1 otherwise.
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const credential = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documents = JSON.parse(readFileSync(process.argv[3], 'utf8'));

async function documentLoader(url) {
  const [base, fragment] = url.split('#');
  const found = documents[base];
  if(!found) {
    throw new Error(`document not available offline: ${url}`);
  }
  if(fragment && found.verificationMethod) {  // a key inside a DID document
    const method = found.verificationMethod.find(m => m.id === url);
    if(!method) {
      throw new Error(`no verification method ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document: {
      '@context': 'https://w3id.org/security/multikey/v1', ...method}};
  }
  return {contextUrl: null, documentUrl: url, document: found};
}

const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});

// Bitstring Status List, checked by hand (verify the list credential, then read the bit).
async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  const list = documents[entry.statusListCredential];
  if(!list) {
    return {verified: false, error: 'status list not available'};
  }
  const listResult = await vc.verifyCredential({credential: list, suite, documentLoader});
  if(!listResult.verified) {
    return {verified: false, error: 'status list does not verify'};
  }
  const encoded = list.credentialSubject.encodedList.slice(1);  // multibase 'u'
  const bits = gunzipSync(Buffer.from(encoded, 'base64url'));
  const index = parseInt(entry.statusListIndex, 10);
  const revoked = (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
  return {verified: !revoked, error: revoked ? 'revoked' : undefined};
}

try {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const error = result.error ? String(result.error.errors?.[0] ?? result.error) :
    result.statusResult?.error;
  console.log(JSON.stringify({verified: result.verified, error}));
  process.exit(result.verified ? 0 : 1);
} catch(e) {
  console.log(JSON.stringify({verified: false, error: String(e)}));
  process.exit(1);
}
