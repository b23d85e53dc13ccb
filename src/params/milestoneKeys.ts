/**
 * Coordinator public-key ranges and signature thresholds of the known Chrysalis networks (TIP-8, chrysalis.md §5.2),
 * in the shape of Hornet's `protocol.publicKeyRanges` config: `end` 0 means open-ended. Pure data; parse with
 * milestones/keyRanges.ts `parseKeyRanges`.
 *
 * Source: iotaledger/hornet@v1.2.8 (126955989e26936865d5317074f326036662ab42) `config.json` (mainnet),
 * `config_devnet.json` (devnet) and `private_tangle/config_private_tangle.json` (private-tangle example).
 */

export interface MilestoneKeyRangeConfig {
  /** Ed25519 public key, 64 hex characters, no `0x`. */
  readonly key: string;
  readonly start: number;
  /** 0 = the key stays valid for every later milestone. */
  readonly end: number;
}

/** Hornet config `protocol.milestonePublicKeyCount`: signatures every milestone must carry. */
export const MILESTONE_PUBLIC_KEY_COUNT_MAINNET = 2;
export const MILESTONE_PUBLIC_KEY_COUNT_DEVNET = 2;
export const MILESTONE_PUBLIC_KEY_COUNT_PRIVATE_TANGLE = 2;

export const MILESTONE_KEY_RANGES_MAINNET: readonly MilestoneKeyRangeConfig[] = [
  { key: "a9b46fe743df783dedd00c954612428b34241f5913cf249d75bed3aafd65e4cd", start: 0, end: 777600 },
  { key: "365fb85e7568b9b32f7359d6cbafa9814472ad0ecbad32d77beaf5dd9e84c6ba", start: 0, end: 1555200 },
  { key: "ba6d07d1a1aea969e7e435f9f7d1b736ea9e0fcb8de400bf855dba7f2a57e947", start: 552960, end: 2108160 },
  { key: "760d88e112c0fd210cf16a3dce3443ecf7e18c456c2fb9646cabb2e13e367569", start: 1333460, end: 2888660 },
  { key: "7bac2209b576ea2235539358c7df8ca4d2f2fc35a663c760449e65eba9f8a6e7", start: 2108160, end: 3359999 },
  { key: "edd9c639a719325e465346b84133bf94740b7d476dd87fc949c0e8df516f9954", start: 2888660, end: 3359999 },
  { key: "47a5098c696e0fb53e6339edac574be4172cb4701a8210c2ae7469b536fd2c59", start: 3360000, end: 0 },
  { key: "ae4e03072b4869e87dd4cd59315291a034493a8c202b43b257f9c07bc86a2f3e", start: 3360000, end: 0 },
];

export const MILESTONE_KEY_RANGES_DEVNET: readonly MilestoneKeyRangeConfig[] = [
  { key: "31ea3169abd40ee4096dfa4940962c64c8500066ca2ec1eedb2c5ee9aa0db5d8", start: 0, end: 0 },
  { key: "5a1f0250640fb1ba82315b8aee4ebbe466da083a13adf77347c4516376cb4431", start: 0, end: 0 },
];

/**
 * Hornet's private-tangle example. Its private keys are published as test keys
 * (`private_tangle/private_tangle_keys.md`), so anyone can sign for these: never use them for a real network.
 */
export const MILESTONE_KEY_RANGES_PRIVATE_TANGLE: readonly MilestoneKeyRangeConfig[] = [
  { key: "ed3c3f1a319ff4e909cf2771d79fece0ac9bd9fd2ee49ea6c0885c9cb3b1248c", start: 0, end: 0 },
  { key: "f6752f5f46a53364e2ee9c4d662d762a81efd51010282a75cd6bd03f28ef349c", start: 0, end: 0 },
];
