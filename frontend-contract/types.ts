export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Date (isoformat) */
  Date: { input: string; output: string; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf). */
  JSON: { input: unknown; output: unknown; }
};

/** A person's account (staff of a partner or of BPJS). */
export type Account = Node & {
  __typename?: 'Account';
  /** False once deactivated; a deactivated account cannot sign in. */
  active: Scalars['Boolean']['output'];
  /** Creation time. */
  createdAt: Scalars['DateTime']['output'];
  /** Name shown in the audit log. */
  displayName: Scalars['String']['output'];
  /** Sign-in email. */
  email: Scalars['String']['output'];
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** True until the invitation is accepted. */
  invitationPending: Scalars['Boolean']['output'];
  /** Last successful sign-in. */
  lastLoginAt?: Maybe<Scalars['DateTime']['output']>;
  /** Role. */
  role: Role;
};

/** The change, or why not. */
export type AddHeirResult = AddHeirSuccess | NotAllowedError | NotFoundError | StaleVersionError | ValidationError;

/** The heir was added; the UPDATED event lists the heirs before and after. */
export type AddHeirSuccess = {
  __typename?: 'AddHeirSuccess';
  /** The UPDATED event. */
  event: WorkerEvent;
  /** The worker after the change. */
  worker: Worker;
};

/** An API key (its secret is shown only once, at creation). */
export type ApiKey = Node & {
  __typename?: 'ApiKey';
  /** Creation time. */
  createdAt: Scalars['DateTime']['output'];
  /** Who created it. */
  createdBy: Scalars['String']['output'];
  /** Expiry time; null when it does not expire. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** Last time it authenticated a request (to the minute). */
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Name given at creation; shown as the actor of its changes. */
  name: Scalars['String']['output'];
  /** The secret's first characters, to tell keys apart. */
  prefix: Scalars['String']['output'];
  /** Until when the secret replaced by the last rotation works. */
  previousSecretValidUntil?: Maybe<Scalars['DateTime']['output']>;
  /** Revocation time; null while valid. */
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Role. */
  role: Role;
  /** Scopes. */
  scopes: Array<Scope>;
  /** True when the key may run only the published operations. */
  trustedDocumentsOnly: Scalars['Boolean']['output'];
};

/** One entry of the append-only audit log. */
export type AuditEntry = Node & {
  __typename?: 'AuditEntry';
  /** Who: account email, `key:<name>`, or `system:…`. */
  actor: Scalars['String']['output'];
  /** account, api_key, system or anonymous. */
  actorKind: Scalars['String']['output'];
  /** Extra facts (argument names, counts); never identifiers. */
  detail: Scalars['JSON']['output'];
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** When (UTC). */
  occurredAt: Scalars['DateTime']['output'];
  /** What: `mutation:<name>`, `login`, `logout`, `reveal_identifiers`, … */
  operation: Scalars['String']['output'];
  /** `ok`, or the typed error / refusal that answered. */
  outcome: Scalars['String']['output'];
  /** Request id, as in the X-Request-ID response header. */
  requestId?: Maybe<Scalars['String']['output']>;
  /** Client address. */
  sourceAddress?: Maybe<Scalars['String']['output']>;
  /** Global ids of the objects concerned. */
  targetIds: Array<Scalars['ID']['output']>;
  /** Kind of the objects concerned (Worker, ApiKey, …). */
  targetType?: Maybe<Scalars['String']['output']>;
};

/** A page of audit entries, newest first. */
export type AuditEntryConnection = {
  __typename?: 'AuditEntryConnection';
  /** The rows of this page. */
  edges: Array<AuditEntryEdge>;
  /** Where this page sits. */
  pageInfo: PageInfo;
};

/** One row of a page and the cursor to resume after it. */
export type AuditEntryEdge = {
  __typename?: 'AuditEntryEdge';
  /** Pass as `after` (or `before`) to resume here. */
  cursor: Scalars['String']['output'];
  /** The row. */
  node: AuditEntry;
};

/** Narrow the audit log; every given condition must hold. */
export type AuditFilter = {
  /** Exact actor. */
  actor?: InputMaybe<Scalars['String']['input']>;
  /** At or after this time. */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  /** Exact operation, e.g. `mutation:registerWorker`, `login`. */
  operation?: InputMaybe<Scalars['String']['input']>;
  /** `ok` or an error type. */
  outcome?: InputMaybe<Scalars['String']['input']>;
  /** Entries concerning this object (global id). */
  targetId?: InputMaybe<Scalars['ID']['input']>;
  /** Before this time. */
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

/** The change, or why not. */
export type ChangeWorkerStatusResult = ChangeWorkerStatusSuccess | InvalidTransitionError | NotAllowedError | NotFoundError | StaleVersionError | ValidationError;

/** The status changed; the event records who, when and why. */
export type ChangeWorkerStatusSuccess = {
  __typename?: 'ChangeWorkerStatusSuccess';
  /** The event written for the change. */
  event: WorkerEvent;
  /** The worker after the change. */
  worker: Worker;
};

/** A contribution paid for the worker. */
export type Contribution = Node & {
  __typename?: 'Contribution';
  /** Amount in rupiah. */
  amount: Scalars['Int']['output'];
  /** First day it covers. */
  coversFrom: Scalars['Date']['output'];
  /** Last day it covers, inclusive. */
  coversUntil: Scalars['Date']['output'];
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** What it pays for. */
  kind: ContributionKind;
  /** Months it pays for. */
  months: Scalars['Int']['output'];
  /** Day of payment. */
  paidOn: Scalars['Date']['output'];
  /** When it was recorded (UTC). */
  recordedAt: Scalars['DateTime']['output'];
  /** Who recorded it: account email or API key name. */
  recordedBy: Scalars['String']['output'];
};

/** A page of contributions. */
export type ContributionConnection = {
  __typename?: 'ContributionConnection';
  /** The rows of this page. */
  edges: Array<ContributionEdge>;
  /** Where this page sits. */
  pageInfo: PageInfo;
};

/** One row of a page and the cursor to resume after it. */
export type ContributionEdge = {
  __typename?: 'ContributionEdge';
  /** Pass as `after` (or `before`) to resume here. */
  cursor: Scalars['String']['output'];
  /** The row. */
  node: Contribution;
};

/** What a contribution pays for. */
export type ContributionKind =
  /** Rp13,500 a month added to the contract. */
  | 'EXTENSION'
  /** Optional old-age savings, a chosen monthly amount. */
  | 'JHT'
  /** Cover from departure to the contract end plus one month, priced by contract length. */
  | 'PLACEMENT'
  /** Rp37,500: up to 5 months of cover before departure. */
  | 'PRE_PLACEMENT';

/** Identity fields an operator corrects; give at least one. */
export type CorrectIdentityInput = {
  /** The correct birth date (age 18-60 on the day of registration). */
  birthDate?: InputMaybe<Scalars['Date']['input']>;
  /** The name as on the passport. */
  fullName?: InputMaybe<Scalars['String']['input']>;
  /** The correct gender. */
  gender?: InputMaybe<Gender>;
  /** The correct NIK; must agree with birth date and gender. */
  nik?: InputMaybe<Scalars['String']['input']>;
};

/** The correction, or why not. */
export type CorrectIdentityResult = CorrectIdentitySuccess | DuplicateNikError | NotAllowedError | NotFoundError | StaleVersionError | ValidationError;

/** The identity was corrected. */
export type CorrectIdentitySuccess = {
  __typename?: 'CorrectIdentitySuccess';
  /** The IDENTITY_CORRECTED event (identifiers masked). */
  event: WorkerEvent;
  /** The worker after the correction. */
  worker: Worker;
};

/** A count of workers sharing one value. */
export type CountBy = {
  __typename?: 'CountBy';
  /** How many workers have it. */
  count: Scalars['Int']['output'];
  /** The value (an enum name or a country code). */
  key: Scalars['String']['output'];
};

/** A window during which one program covers the worker. */
export type Coverage = {
  __typename?: 'Coverage';
  /** Last covered day (Asia/Jakarta), inclusive. */
  endsOn: Scalars['Date']['output'];
  /** The program. */
  program: Program;
  /** First covered day (Asia/Jakarta). */
  startsOn: Scalars['Date']['output'];
};

/** The new key, or why not. */
export type CreateApiKeyResult = CreateApiKeySuccess | NotAllowedError | NotFoundError | ValidationError;

/** The key was created. Store the secret now: it is shown once. */
export type CreateApiKeySuccess = {
  __typename?: 'CreateApiKeySuccess';
  /** The new key. */
  apiKey: ApiKey;
  /** The secret (`ppk_…`), shown only this once. */
  secret: Scalars['String']['output'];
};

/** A new partner organisation. */
export type CreatePartnerInput = {
  /** Short stable code, e.g. "kbri-hongkong". */
  code: Scalars['String']['input'];
  /** ISO 3166-1 alpha-2 country. */
  country: Scalars['String']['input'];
  /** Kind of organisation. */
  kind: PartnerKind;
  /** Full name. */
  name: Scalars['String']['input'];
  /** E.g. "Sabah". */
  region?: InputMaybe<Scalars['String']['input']>;
};

/** The new partner, or why not. */
export type CreatePartnerResult = CreatePartnerSuccess | NotAllowedError | ValidationError;

/** The partner was created. */
export type CreatePartnerSuccess = {
  __typename?: 'CreatePartnerSuccess';
  /** The new partner. */
  partner: Partner;
};

/** The new endpoint and its secret, or why not. */
export type CreateWebhookEndpointResult = CreateWebhookEndpointSuccess | NotAllowedError | ValidationError;

/** The endpoint was registered. Store the secret now: it is shown once. It receives the events committed from now on. */
export type CreateWebhookEndpointSuccess = {
  __typename?: 'CreateWebhookEndpointSuccess';
  /** The new endpoint. */
  endpoint: WebhookEndpoint;
  /** The signing secret (`whsec_…`), shown only this once; verify the X-Portal-Signature header with it. */
  secret: Scalars['String']['output'];
};

/** The account, or why not. */
export type DeactivateAccountResult = DeactivateAccountSuccess | NotAllowedError | NotFoundError | ValidationError;

/** The account was deactivated and its sessions closed. */
export type DeactivateAccountSuccess = {
  __typename?: 'DeactivateAccountSuccess';
  /** The deactivated account. */
  account: Account;
};

/** The deleted id, or why not. */
export type DeleteWebhookEndpointResult = DeleteWebhookEndpointSuccess | NotAllowedError | NotFoundError;

/** The endpoint and its delivery records were deleted. */
export type DeleteWebhookEndpointSuccess = {
  __typename?: 'DeleteWebhookEndpointSuccess';
  /** The id of the deleted endpoint. */
  deletedId: Scalars['ID']['output'];
};

/** The key, or why not. */
export type DisconnectApiKeyResult = DisconnectApiKeySuccess | NotAllowedError | NotFoundError;

/** Every open subscription of the key is being closed (within seconds). */
export type DisconnectApiKeySuccess = {
  __typename?: 'DisconnectApiKeySuccess';
  /** The key; it stays valid for new requests. */
  apiKey: ApiKey;
};

/** This NIK is already registered. When the owner is another partner nothing else about it is revealed. */
export type DuplicateNikError = Error & {
  __typename?: 'DuplicateNikError';
  /** Always `nik`. */
  field: Scalars['String']['output'];
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
};

/** Kind of employer. */
export type EmployerType =
  /** A company. */
  | 'COMPANY'
  /** A private household. */
  | 'HOUSEHOLD'
  /** A ship (crew). */
  | 'SHIP_CREW';

/** Something every typed error carries: a sentence for a person. */
export type Error = {
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
};

/** The extension, or why not. */
export type ExtendContractResult = ExtendContractSuccess | InvalidTransitionError | NotAllowedError | NotFoundError | StaleVersionError | ValidationError;

/** The contract was extended and the extension paid. */
export type ExtendContractSuccess = {
  __typename?: 'ExtendContractSuccess';
  /** The EXTENSION contribution paid for the added months. */
  contribution: Contribution;
  /** The CONTRACT_EXTENDED event (contractEnd, coveredUntil, and the membership status when it changed). */
  event: WorkerEvent;
  /** The worker with its new contract end. */
  worker: Worker;
};

/** Identifiers of the worker in other systems. */
export type ExternalIds = {
  __typename?: 'ExternalIds';
  /** BPJS membership card number (KPJ). */
  kpjNumber?: Maybe<Scalars['String']['output']>;
  /** SISKOP2MI candidate id. */
  siskop2miId?: Maybe<Scalars['String']['output']>;
};

/** Identifiers of the worker in other systems. */
export type ExternalIdsInput = {
  /** BPJS card number (KPJ). */
  kpjNumber?: InputMaybe<Scalars['String']['input']>;
  /** SISKOP2MI candidate id. */
  siskop2miId?: InputMaybe<Scalars['String']['input']>;
};

/** One input field that broke one rule. */
export type FieldError = {
  __typename?: 'FieldError';
  /** The input field, as a path (e.g. `nik`, `heirs[0].fullName`). */
  field: Scalars['String']['output'];
  /** The rule in words. */
  message: Scalars['String']['output'];
  /** The rule's stable name (e.g. `nik_format`). */
  rule: Scalars['String']['output'];
};

/** Gender as on the NIK. */
export type Gender =
  /** Female. */
  | 'FEMALE'
  /** Male. */
  | 'MALE';

/** An heir, in the order of entitlement. */
export type Heir = {
  __typename?: 'Heir';
  /** Name as on the ID card. */
  fullName: Scalars['String']['output'];
  /** E.164 phone number. */
  phone?: Maybe<Scalars['String']['output']>;
  /** Relation to the worker. */
  relation: HeirRelation;
};

/** An heir, in the order of entitlement. */
export type HeirInput = {
  /** Name as on the ID card. */
  fullName: Scalars['String']['input'];
  /** E.164 phone number. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Relation to the worker. */
  relation: HeirRelation;
};

/** An heir's relation to the worker, in the order of entitlement. */
export type HeirRelation =
  /** Blood relative. */
  | 'BLOOD_RELATIVE'
  /** Named in a will. */
  | 'NAMED_IN_WILL'
  /** Parent-in-law. */
  | 'PARENT_IN_LAW'
  /** Sibling. */
  | 'SIBLING'
  /** Spouse or child. */
  | 'SPOUSE_OR_CHILD';

/** The idempotency key was used before with a different input. */
export type IdempotencyConflictError = Error & {
  __typename?: 'IdempotencyConflictError';
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
};

/** What happens to the good rows of an import when some rows fail. */
export type ImportMode =
  /** Write nothing if any row fails; every row's problems are reported. */
  | 'ALL_OR_NOTHING'
  /** Write the rows that pass; report the others. */
  | 'BEST_EFFORT';

/** What became of one row of an import. */
export type ImportRowResult = {
  __typename?: 'ImportRowResult';
  /** The row's problems (empty for a good row). */
  errors: Array<FieldError>;
  /** The row's place in the input, from 1. */
  rowNumber: Scalars['Int']['output'];
  /** The created worker; null when this row failed or the import wrote nothing. */
  worker?: Maybe<Worker>;
};

/** The per-row outcome, or why the import could not run. */
export type ImportWorkersResult = IdempotencyConflictError | ImportWorkersSuccess | NotAllowedError | ValidationError;

/** The import ran: how many rows were written and how each row fared. */
export type ImportWorkersSuccess = {
  __typename?: 'ImportWorkersSuccess';
  /** Workers created. */
  created: Scalars['Int']['output'];
  /** Rows with problems. */
  failed: Scalars['Int']['output'];
  /** Every row, in input order: its worker or its problems. */
  rows: Array<ImportRowResult>;
  /** False when ALL_OR_NOTHING wrote nothing because some row failed. */
  written: Scalars['Boolean']['output'];
};

/** The status change is not allowed from the current status. */
export type InvalidTransitionError = Error & {
  __typename?: 'InvalidTransitionError';
  /** Statuses allowed next from `from`. */
  allowed: Array<Scalars['String']['output']>;
  /** The current status. */
  from: Scalars['String']['output'];
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
  /** The status you asked for. */
  to: Scalars['String']['output'];
};

/** The invitation, or why not. */
export type InviteAccountResult = InviteAccountSuccess | NotAllowedError | NotFoundError | ValidationError;

/** The account was created; send the invitation token to the person. */
export type InviteAccountSuccess = {
  __typename?: 'InviteAccountSuccess';
  /** The new account (no password yet). */
  account: Account;
  /** When the invitation lapses. */
  expiresAt: Scalars['DateTime']['output'];
  /** One-time token for POST /auth/accept-invitation, shown only this once. */
  invitationToken: Scalars['String']['output'];
};

/** Sector of the job abroad. */
export type JobSector =
  /** Caregiver. */
  | 'CAREGIVER'
  /** Construction worker. */
  | 'CONSTRUCTION'
  /** Domestic worker. */
  | 'DOMESTIC_WORKER'
  /** Fishery or ship crew. */
  | 'FISHERY'
  /** Hotels and restaurants. */
  | 'HOSPITALITY'
  /** Factory worker. */
  | 'MANUFACTURING'
  /** Any other sector. */
  | 'OTHER'
  /** Plantation worker. */
  | 'PLANTATION';

/** BPJS membership state. */
export type MembershipStatus =
  /** A contribution covers today. */
  | 'ACTIVE'
  /** Closed for good (after a death, or by an operator). */
  | 'CLOSED'
  /** The cover window ended (set by the daily sweep). */
  | 'EXPIRED'
  /** Registered, no contribution paid yet. */
  | 'REGISTERED';

/** Change the registry. Every result is a union of a success payload and typed errors. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Add one heir to a worker. Emits UPDATED. */
  addHeir: AddHeirResult;
  /** Change a worker's placement status (and, for operators, close the membership). A reason is required. Emits PLACEMENT_STATUS_CHANGED or MEMBERSHIP_STATUS_CHANGED. */
  changeWorkerStatus: ChangeWorkerStatusResult;
  /** Operators only: correct a worker's NIK, name, birth date or gender. The NIK must still agree with birth date and gender and be unique. Emits IDENTITY_CORRECTED with identifiers masked. */
  correctIdentity: CorrectIdentityResult;
  /** Create an API key for your partner (partner admins), or for any partner (operators, with partnerId). Scopes must lie within the role. */
  createApiKey: CreateApiKeyResult;
  /** Create a partner organisation (BPJS operators only). */
  createPartner: CreatePartnerResult;
  /** Register a webhook endpoint for your partner (partner admins with the WEBHOOKS scope). The signing secret is in the result, once. */
  createWebhookEndpoint: CreateWebhookEndpointResult;
  /** Deactivate an account of your partner; its sessions close at once. */
  deactivateAccount: DeactivateAccountResult;
  /** Delete an endpoint with its delivery records. */
  deleteWebhookEndpoint: DeleteWebhookEndpointResult;
  /** Close every open WebSocket and SSE subscription of an API key without revoking it (operators: any key; partner admins: their partner's). Clients reconnect and resume from their cursor. */
  disconnectApiKey: DisconnectApiKeyResult;
  /** Extend a running contract (worker DEPARTED or ON_LEAVE) by some months and record its payment in the same change: Rp13,500 per added month. The contract end moves, cover runs to the new end plus one month, and one CONTRACT_EXTENDED event records it. An extension is an event, not a status. */
  extendContract: ExtendContractResult;
  /** Register up to 10,000 workers in one call, each row checked like registerWorker (and its NIK against the other rows and the registry). ALL_OR_NOTHING writes nothing if a row fails; BEST_EFFORT writes the good rows. Emits REGISTERED per created worker. */
  importWorkers: ImportWorkersResult;
  /** Invite a person to your partner (partner admins; operators may name any partner). They set a password with the invitation token. */
  inviteAccount: InviteAccountResult;
  /** Record a contribution. The amount must equal what the rules give (Permenaker 4/2023: Rp37,500 before placement; by contract length during placement; JHT by the chosen monthly amount) — otherwise ValidationError (rule `amount_mismatch`) states the amount due. Writes the cover it buys, moves coveredUntil, and makes the membership ACTIVE when the cover includes today. Emits CONTRIBUTION_RECORDED. */
  recordContribution: RecordContributionResult;
  /** Send a delivery again soon: a succeeded or dead-lettered one gets a new round of attempts (same event id, so receivers can deduplicate); one still retrying is brought forward to now. */
  redeliverWebhook: RedeliverWebhookResult;
  /** Register a worker for your partner. Emits REGISTERED. With an idempotencyKey, repeating the same request returns the first result. */
  registerWorker: RegisterWorkerResult;
  /** Remove one heir from a worker. Emits UPDATED. */
  removeHeir: RemoveHeirResult;
  /** Revoke an API key of your partner; it stops at once. */
  revokeApiKey: RevokeApiKeyResult;
  /** Close one of your own sessions (sign out elsewhere). */
  revokeSession: RevokeSessionResult;
  /** Give an API key a new secret. The old secret keeps working for overlapSeconds (default one day, at most 30 days) so integrators can switch. */
  rotateApiKey: RotateApiKeyResult;
  /** Give an endpoint a new signing secret. For overlapSeconds (default one day, at most 30 days) deliveries carry signatures by the new and the old secret, so receivers can switch without dropping any; 0 retires the old one at once. */
  rotateWebhookSecret: RotateWebhookSecretResult;
  /** Switch an endpoint off (deliveries wait) or on again (failures and the circuit breaker reset; what was missed meanwhile is delivered). */
  setWebhookEndpointActive: SetWebhookEndpointActiveResult;
  /** Operators only: hand a worker to another partner. Writes TRANSFERRED_OUT (kept by the old partner, which sees nothing after it) and TRANSFERRED_IN (the new partner sees the whole history) in one transaction. */
  transferWorker: TransferWorkerResult;
  /** Change record fields of a worker (optimistic concurrency by version). Emits one UPDATED event listing each changed field's old and new value. */
  updateWorker: UpdateWorkerResult;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationAddHeirArgs = {
  heir: HeirInput;
  id: Scalars['ID']['input'];
  position?: InputMaybe<Scalars['Int']['input']>;
  version: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationChangeWorkerStatusArgs = {
  id: Scalars['ID']['input'];
  placementStatus?: InputMaybe<PlacementStatus>;
  reason: Scalars['String']['input'];
  status?: InputMaybe<MembershipStatus>;
  version: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationCorrectIdentityArgs = {
  id: Scalars['ID']['input'];
  input: CorrectIdentityInput;
  reason: Scalars['String']['input'];
  version: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationCreateApiKeyArgs = {
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  name: Scalars['String']['input'];
  partnerId?: InputMaybe<Scalars['ID']['input']>;
  role: Role;
  scopes: Array<Scope>;
  trustedDocumentsOnly?: Scalars['Boolean']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationCreatePartnerArgs = {
  input: CreatePartnerInput;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationCreateWebhookEndpointArgs = {
  input: WebhookEndpointInput;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationDeactivateAccountArgs = {
  id: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationDisconnectApiKeyArgs = {
  id: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationExtendContractArgs = {
  amount: Scalars['Int']['input'];
  id: Scalars['ID']['input'];
  months: Scalars['Int']['input'];
  paidOn: Scalars['Date']['input'];
  reason: Scalars['String']['input'];
  version: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationImportWorkersArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  mode?: ImportMode;
  rows: Array<RegisterWorkerInput>;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationInviteAccountArgs = {
  displayName: Scalars['String']['input'];
  email: Scalars['String']['input'];
  partnerId?: InputMaybe<Scalars['ID']['input']>;
  role: Role;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRecordContributionArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: RecordContributionInput;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRedeliverWebhookArgs = {
  deliveryId: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRegisterWorkerArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: RegisterWorkerInput;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRemoveHeirArgs = {
  id: Scalars['ID']['input'];
  position: Scalars['Int']['input'];
  version: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRevokeSessionArgs = {
  id: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRotateApiKeyArgs = {
  id: Scalars['ID']['input'];
  overlapSeconds?: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationRotateWebhookSecretArgs = {
  id: Scalars['ID']['input'];
  overlapSeconds?: Scalars['Int']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationSetWebhookEndpointActiveArgs = {
  active: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationTransferWorkerArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
  toPartner: Scalars['ID']['input'];
  version?: InputMaybe<Scalars['Int']['input']>;
};


/** Change the registry. Every result is a union of a success payload and typed errors. */
export type MutationUpdateWorkerArgs = {
  id: Scalars['ID']['input'];
  input: UpdateWorkerInput;
  version: Scalars['Int']['input'];
};

/** An object with a global, opaque id; fetch it with `node`. */
export type Node = {
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
};

/** Your role or your credentials' scopes do not permit this. */
export type NotAllowedError = Error & {
  __typename?: 'NotAllowedError';
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
  /** The scope or role that would permit it. */
  needed: Scalars['String']['output'];
};

/** No object with this id exists for you. Foreign and missing ids answer the same way. */
export type NotFoundError = Error & {
  __typename?: 'NotFoundError';
  /** The id you sent. */
  id: Scalars['ID']['output'];
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
};

/** Sort direction. */
export type OrderDirection =
  /** Smallest (or earliest) first. */
  | 'ASC'
  /** Largest (or latest) first. */
  | 'DESC';

/** Where a page sits in the whole list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last edge. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** More rows follow this page. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Rows come before this page. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first edge. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** A partner organisation: an embassy, consulate, consortium, agency, or the BPJS office. Each worker has exactly one owning partner. */
export type Partner = Node & {
  __typename?: 'Partner';
  /** Short stable code, e.g. "kbri-hongkong". */
  code: Scalars['String']['output'];
  /** Country of the partner (ISO 3166-1 alpha-2). */
  country: Scalars['String']['output'];
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** Kind of organisation. */
  kind: PartnerKind;
  /** Full name. */
  name: Scalars['String']['output'];
  /** Region within the country, e.g. "Sabah". */
  region?: Maybe<Scalars['String']['output']>;
};

/** A page of partners. */
export type PartnerConnection = {
  __typename?: 'PartnerConnection';
  /** The rows of this page. */
  edges: Array<PartnerEdge>;
  /** Where this page sits. */
  pageInfo: PageInfo;
};

/** One row of a page and the cursor to resume after it. */
export type PartnerEdge = {
  __typename?: 'PartnerEdge';
  /** Pass as `after` (or `before`) to resume here. */
  cursor: Scalars['String']['output'];
  /** The row. */
  node: Partner;
};

/** What kind of organisation a partner is. */
export type PartnerKind =
  /** A licensed placement agency (P3MI). */
  | 'AGENCY'
  /** BPJS Ketenagakerjaan itself; owns no workers. */
  | 'BPJS_OFFICE'
  /** A registration and outreach consortium (e.g. in Sabah, Sarawak). */
  | 'CONSORTIUM'
  /** An Indonesian consulate (KJRI). */
  | 'CONSULATE'
  /** An Indonesian embassy (KBRI), or a trade office acting as mission. */
  | 'EMBASSY';

/** Phase derived from the placement status (a death keeps the phase it happened in). */
export type Phase =
  /** After placement: RETURNED. */
  | 'AFTER'
  /** Before placement: CANDIDATE or FAILED_DEPARTURE. */
  | 'BEFORE'
  /** During placement: DEPARTED, ON_LEAVE, TERMINATED or MISSING. */
  | 'DURING';

/** Who arranged the placement. */
export type PlacementScheme =
  /** Government to government (e.g. Korea, Japan). */
  | 'GOVERNMENT'
  /** The worker on their own. */
  | 'INDIVIDUAL'
  /** A licensed placement agency. */
  | 'PRIVATE_AGENCY';

/** Where a worker is in the placement cycle. */
export type PlacementStatus =
  /** Registered, in pre-departure preparation (calon PMI). */
  | 'CANDIDATE'
  /** Died; final. */
  | 'DECEASED'
  /** Working abroad under a contract. */
  | 'DEPARTED'
  /** Did not depart; may become a CANDIDATE again. */
  | 'FAILED_DEPARTURE'
  /** Reported missing while abroad. */
  | 'MISSING'
  /** Abroad contract paused (home leave); returns to DEPARTED. */
  | 'ON_LEAVE'
  /** Back in Indonesia after placement. */
  | 'RETURNED'
  /** Contract ended early while abroad. */
  | 'TERMINATED';

/** A social-security program. */
export type Program =
  /** Old-age savings (optional). */
  | 'JHT'
  /** Work-accident insurance (mandatory). */
  | 'JKK'
  /** Death insurance (mandatory). */
  | 'JKM';

/** Read the registry. */
export type Query = {
  __typename?: 'Query';
  /** Your partner's accounts (partner admins; operators: all). */
  accounts: Array<Account>;
  /** Your partner's API keys (partner admins; operators: all). */
  apiKeys: Array<ApiKey>;
  /** The audit log, newest first: partner admins see their partner's, operators everything. */
  auditLog: AuditEntryConnection;
  /** Your partner's event log in commit order, to catch up before subscribing: pass the last cursor you hold as `after`. */
  events: WorkerEventConnection;
  /** Workers whose cover ends within the next `withinDays` days (Asia/Jakarta, today included) and whose membership is still ACTIVE: who to follow up before they lapse. Soonest first. */
  expiringCoverage: WorkerConnection;
  /** Your open sessions (empty for API keys). */
  mySessions: Array<Session>;
  /** Any object by global id. Malformed, unknown-type, missing and foreign ids all answer null. */
  node?: Maybe<Node>;
  /** Several objects by global id (at most 100), in order. */
  nodes: Array<Maybe<Node>>;
  /** Partners: operators see all, others their own. */
  partners: PartnerConnection;
  /** Who am I: partner, role and scopes. */
  viewer: Viewer;
  /** The dead-letter queue: deliveries given up on, newest first. redeliverWebhook sends one again. */
  webhookDeadLetters: WebhookDeliveryConnection;
  /** Deliveries of your partner's endpoints, newest first. */
  webhookDeliveries: WebhookDeliveryConnection;
  /** Your partner's webhook endpoints (partner admins with the WEBHOOKS scope), oldest first. */
  webhookEndpoints: Array<WebhookEndpoint>;
  /** One of your workers by global id; null for a missing, foreign or malformed id (the same as `node`). */
  worker?: Maybe<Worker>;
  /** The worker with this NIK, if it is one of yours. */
  workerByNik?: Maybe<Worker>;
  /** Dashboard counts: total, and by phase, placement status, membership status, destination country and job sector. */
  workerStats: WorkerStats;
  /** Your workers (operators: everyone's), one page at a time. Pages are keyset-paginated: pass a cursor as `after` (or `before` with `last`). */
  workers: WorkerConnection;
};


/** Read the registry. */
export type QueryAuditLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Read the registry. */
export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  types?: InputMaybe<Array<WorkerEventType>>;
};


/** Read the registry. */
export type QueryExpiringCoverageArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<WorkerFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  withinDays: Scalars['Int']['input'];
};


/** Read the registry. */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** Read the registry. */
export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/** Read the registry. */
export type QueryPartnersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Read the registry. */
export type QueryWebhookDeadLettersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Read the registry. */
export type QueryWebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  endpointId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<WebhookDeliveryStatus>;
};


/** Read the registry. */
export type QueryWorkerArgs = {
  id: Scalars['ID']['input'];
};


/** Read the registry. */
export type QueryWorkerByNikArgs = {
  nik: Scalars['String']['input'];
};


/** Read the registry. */
export type QueryWorkerStatsArgs = {
  filter?: InputMaybe<WorkerFilter>;
};


/** Read the registry. */
export type QueryWorkersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<WorkerFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<WorkerOrder>;
};

/** A contribution paid for a worker. */
export type RecordContributionInput = {
  /** Amount paid, in whole rupiah. Must equal the amount the rules give (e.g. 37500 before placement; 332500 for a 24-month contract). */
  amount: Scalars['Int']['input'];
  /** JHT only: the chosen monthly amount (50000, 100000, 200000, 300000, 400000, 500000 or 600000). */
  jhtMonthlyAmount?: InputMaybe<Scalars['Int']['input']>;
  /** What it pays for. Extensions are paid with extendContract. */
  kind: ContributionKind;
  /** JHT: months paid for (1-60). Other kinds: optional, must match the months the rules give. */
  months?: InputMaybe<Scalars['Int']['input']>;
  /** Day of payment (Asia/Jakarta); not in the future, not before 2023-02-22 (Permenaker 4/2023). */
  paidOn: Scalars['Date']['input'];
  /** The worker's global id. */
  workerId: Scalars['ID']['input'];
};

/** The contribution, or why it was refused. */
export type RecordContributionResult = IdempotencyConflictError | InvalidTransitionError | NotAllowedError | NotFoundError | RecordContributionSuccess | ValidationError;

/** The contribution was recorded with the cover it buys. */
export type RecordContributionSuccess = {
  __typename?: 'RecordContributionSuccess';
  /** The recorded contribution. */
  contribution: Contribution;
  /** The CONTRIBUTION_RECORDED event; its changes include coveredUntil and a membership status change when there was one. */
  event: WorkerEvent;
  /** The worker after it: coveredUntil and status (ACTIVE when the cover includes today). */
  worker: Worker;
};

/** The queued delivery, or why not. */
export type RedeliverWebhookResult = NotAllowedError | NotFoundError | RedeliverWebhookSuccess;

/** The delivery is queued and will be attempted again soon. */
export type RedeliverWebhookSuccess = {
  __typename?: 'RedeliverWebhookSuccess';
  /** The delivery, queued again. */
  delivery: WebhookDelivery;
};

/** A new worker. The owning partner is always the caller's; there is no partner argument. */
export type RegisterWorkerInput = {
  /** Age 18-60 at registration. */
  birthDate: Scalars['Date']['input'];
  /** Place of birth. */
  birthPlace?: InputMaybe<Scalars['String']['input']>;
  /** After contractStart. */
  contractEnd?: InputMaybe<Scalars['Date']['input']>;
  /** Required (with contractEnd) before DEPARTED. */
  contractStart?: InputMaybe<Scalars['Date']['input']>;
  /** ISO 3166-1 alpha-2, not ID. */
  destinationCountry: Scalars['String']['input'];
  /** Malaysia: Peninsular, Sabah or Sarawak. */
  destinationRegion?: InputMaybe<Scalars['String']['input']>;
  /** Employer's name. */
  employerName?: InputMaybe<Scalars['String']['input']>;
  /** Kind of employer. */
  employerType?: InputMaybe<EmployerType>;
  /** Identifiers in other systems. */
  externalIds?: InputMaybe<ExternalIdsInput>;
  /** Family card (KK) number, 16 digits. */
  familyCardNumber?: InputMaybe<Scalars['String']['input']>;
  /** As on the passport: 1-150 letters, spaces, ' . - */
  fullName: Scalars['String']['input'];
  /** Gender, as encoded in the NIK. */
  gender: Gender;
  /** Heirs in the order of entitlement (at most 10). */
  heirs?: InputMaybe<Array<HeirInput>>;
  /** Job sector. */
  jobSector: JobSector;
  /** 16-digit NIK; must agree with birthDate and gender (women: day + 40). */
  nik: Scalars['String']['input'];
  /** Required before the worker can move to DEPARTED. */
  passportNumber?: InputMaybe<Scalars['String']['input']>;
  /** E.164, e.g. +6281234567890. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Placement scheme. */
  placementScheme: PlacementScheme;
};

/** The new worker, or why not. */
export type RegisterWorkerResult = DuplicateNikError | IdempotencyConflictError | NotAllowedError | RegisterWorkerSuccess | ValidationError;

/** The worker was registered. */
export type RegisterWorkerSuccess = {
  __typename?: 'RegisterWorkerSuccess';
  /** The new worker. */
  worker: Worker;
};

/** The change, or why not. */
export type RemoveHeirResult = NotAllowedError | NotFoundError | RemoveHeirSuccess | StaleVersionError | ValidationError;

/** The heir was removed; the UPDATED event lists the heirs before and after. */
export type RemoveHeirSuccess = {
  __typename?: 'RemoveHeirSuccess';
  /** The UPDATED event. */
  event: WorkerEvent;
  /** The worker after the change. */
  worker: Worker;
};

/** The revoked key, or why not. */
export type RevokeApiKeyResult = NotAllowedError | NotFoundError | RevokeApiKeySuccess;

/** The key was revoked; it stops working at once. */
export type RevokeApiKeySuccess = {
  __typename?: 'RevokeApiKeySuccess';
  /** The revoked key. */
  apiKey: ApiKey;
};

/** The session, or why not. */
export type RevokeSessionResult = NotAllowedError | NotFoundError | RevokeSessionSuccess;

/** The session was closed. */
export type RevokeSessionSuccess = {
  __typename?: 'RevokeSessionSuccess';
  /** The closed session. */
  session: Session;
};

/** What a person or key may do. */
export type Role =
  /** BPJS staff: sees every partner, creates partners, transfers workers, corrects identities. */
  | 'OPERATOR'
  /** Manages the partner's keys, accounts and webhooks; can do everything an officer can. */
  | 'PARTNER_ADMIN'
  /** Registers and updates workers, changes statuses, records contributions. */
  | 'PARTNER_OFFICER'
  /** Reads only; NIK, passport and family-card numbers are masked. */
  | 'PARTNER_VIEWER';

/** The new secret, or why not. */
export type RotateApiKeyResult = NotAllowedError | NotFoundError | RotateApiKeySuccess | ValidationError;

/** The key has a new secret; the old one works until previousSecretValidUntil. */
export type RotateApiKeySuccess = {
  __typename?: 'RotateApiKeySuccess';
  /** The rotated key. */
  apiKey: ApiKey;
  /** The new secret, shown only this once. */
  secret: Scalars['String']['output'];
};

/** The new secret, or why not. */
export type RotateWebhookSecretResult = NotAllowedError | NotFoundError | RotateWebhookSecretSuccess | ValidationError;

/** The endpoint has a new secret. Until previousSecretValidUntil deliveries are signed with both. */
export type RotateWebhookSecretSuccess = {
  __typename?: 'RotateWebhookSecretSuccess';
  /** The endpoint. */
  endpoint: WebhookEndpoint;
  /** The new signing secret, shown only this once. */
  secret: Scalars['String']['output'];
};

/** A permission an API key carries; scopes narrow a role, never widen it. */
export type Scope =
  /** Manage keys and accounts (and, for operators, partners). */
  | 'ADMIN'
  /** Read workers and their records. */
  | 'READ'
  /** Receive worker events by subscription. */
  | 'SUBSCRIBE'
  /** Manage webhook endpoints. */
  | 'WEBHOOKS'
  /** Register and change workers. */
  | 'WRITE';

/** A signed-in browser session of yours. */
export type Session = Node & {
  __typename?: 'Session';
  /** When you signed in. */
  createdAt: Scalars['DateTime']['output'];
  /** True for the session making this request. */
  current: Scalars['Boolean']['output'];
  /** When it stops working. */
  expiresAt: Scalars['DateTime']['output'];
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** Last request (to the minute). */
  lastSeenAt?: Maybe<Scalars['DateTime']['output']>;
  /** The address it signed in from. */
  sourceAddress?: Maybe<Scalars['String']['output']>;
  /** The browser, as it announced itself. */
  userAgent?: Maybe<Scalars['String']['output']>;
};

/** The endpoint, or why not. */
export type SetWebhookEndpointActiveResult = NotAllowedError | NotFoundError | SetWebhookEndpointActiveSuccess;

/** The endpoint was switched on or off. */
export type SetWebhookEndpointActiveSuccess = {
  __typename?: 'SetWebhookEndpointActiveSuccess';
  /** The endpoint. */
  endpoint: WebhookEndpoint;
};

/** The record changed since you read it; reload and retry. */
export type StaleVersionError = Error & {
  __typename?: 'StaleVersionError';
  /** The record's version now. */
  currentVersion: Scalars['Int']['output'];
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
};

/** A status changed from one value to another. */
export type StatusChange = {
  __typename?: 'StatusChange';
  /** The value before. */
  from?: Maybe<Scalars['String']['output']>;
  /** The value after. */
  to: Scalars['String']['output'];
};

/** Live streams of changes to your workers, in commit order. */
export type Subscription = {
  __typename?: 'Subscription';
  /** Every change to your workers in commit order. Without `after`: live from now. With `after` (a cursor from an event or from Query.events): every later event with no gap and no duplicate, then live. Over SSE, Last-Event-ID resumes too. */
  workerEvents: WorkerEvent;
  /** Placement and membership status changes only (departures, returns, deaths, lapsed cover). */
  workerStatusChanged: WorkerStatusChange;
};


/** Live streams of changes to your workers, in commit order. */
export type SubscriptionWorkerEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  types?: InputMaybe<Array<WorkerEventType>>;
  workerId?: InputMaybe<Scalars['ID']['input']>;
};


/** Live streams of changes to your workers, in commit order. */
export type SubscriptionWorkerStatusChangedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  workerId?: InputMaybe<Scalars['ID']['input']>;
};

/** The transfer, or why not. */
export type TransferWorkerResult = NotAllowedError | NotFoundError | StaleVersionError | TransferWorkerSuccess | ValidationError;

/** The worker now belongs to the other partner. */
export type TransferWorkerSuccess = {
  __typename?: 'TransferWorkerSuccess';
  /** The new partner's first event of this worker (TRANSFERRED_IN). */
  transferredIn: WorkerEvent;
  /** The old partner's last event of this worker (TRANSFERRED_OUT). */
  transferredOut: WorkerEvent;
  /** The worker, now the new partner's. */
  worker: Worker;
};

/** Fields to change on a worker. Leave a field out to keep it; send null to clear an optional one. Identity (NIK, name, birth date, gender) is corrected by operators with correctIdentity. */
export type UpdateWorkerInput = {
  /** Place of birth; null clears it. */
  birthPlace?: InputMaybe<Scalars['String']['input']>;
  /** Contract end, after contractStart. While the worker is abroad the contract is lengthened with extendContract. */
  contractEnd?: InputMaybe<Scalars['Date']['input']>;
  /** Contract start. Not changeable while the worker is abroad. */
  contractStart?: InputMaybe<Scalars['Date']['input']>;
  /** ISO 3166-1 alpha-2, not ID. A new country clears a region that belonged to the old one. */
  destinationCountry?: InputMaybe<Scalars['String']['input']>;
  /** Malaysia: Peninsular, Sabah or Sarawak; null clears it. */
  destinationRegion?: InputMaybe<Scalars['String']['input']>;
  /** Employer's name; null clears it. */
  employerName?: InputMaybe<Scalars['String']['input']>;
  /** Kind of employer; null clears it. */
  employerType?: InputMaybe<EmployerType>;
  /** Identifiers in other systems; a null inside clears that one, null clears both. */
  externalIds?: InputMaybe<ExternalIdsInput>;
  /** Family card (KK) number, 16 digits; null clears it. */
  familyCardNumber?: InputMaybe<Scalars['String']['input']>;
  /** The whole list of heirs, replacing the one on record (at most 10); null or [] removes them all. addHeir and removeHeir change one at a time. */
  heirs?: InputMaybe<Array<HeirInput>>;
  /** Job sector. */
  jobSector?: InputMaybe<JobSector>;
  /** Passport number; null clears it (not while the worker is abroad). */
  passportNumber?: InputMaybe<Scalars['String']['input']>;
  /** E.164 phone number; null clears it. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Placement scheme. */
  placementScheme?: InputMaybe<PlacementScheme>;
};

/** The change, or why not. */
export type UpdateWorkerResult = NotAllowedError | NotFoundError | StaleVersionError | UpdateWorkerSuccess | ValidationError;

/** The record changed; the UPDATED event lists each field's old and new value (identifiers masked). */
export type UpdateWorkerSuccess = {
  __typename?: 'UpdateWorkerSuccess';
  /** The UPDATED event. */
  event: WorkerEvent;
  /** The worker after the change. */
  worker: Worker;
};

/** The input broke one or more rules. The first problem is repeated in field/rule/message; all of them are in `errors`. Nothing was written. */
export type ValidationError = Error & {
  __typename?: 'ValidationError';
  /** Every problem found. */
  errors: Array<FieldError>;
  /** The first offending field. */
  field: Scalars['String']['output'];
  /** What went wrong, for a person to read. */
  message: Scalars['String']['output'];
  /** The first broken rule. */
  rule: Scalars['String']['output'];
};

/** Who you are: partner, role and scopes. */
export type Viewer = {
  __typename?: 'Viewer';
  /** Your account when signed in; null for an API key. */
  account?: Maybe<Account>;
  /** The key you authenticated with; null for a session. */
  apiKey?: Maybe<ApiKey>;
  /** Your partner; BPJS operators belong to a BPJS_OFFICE partner that owns no workers. */
  partner: Partner;
  /** Your role. */
  role: Role;
  /** Your effective scopes. */
  scopes: Array<Scope>;
};

/** One HTTP attempt of a delivery. */
export type WebhookAttempt = {
  __typename?: 'WebhookAttempt';
  /** When the request was sent. */
  attemptedAt: Scalars['DateTime']['output'];
  /** What went wrong, in short; null on success. Response bodies are never stored. */
  error?: Maybe<Scalars['String']['output']>;
  /** How long the attempt took, in milliseconds. */
  latencyMs?: Maybe<Scalars['Int']['output']>;
  /** The HTTP status answered; null when none came (timeout, connection refused). */
  statusCode?: Maybe<Scalars['Int']['output']>;
};

/** One event sent (or to be sent) to one endpoint. */
export type WebhookDelivery = Node & {
  __typename?: 'WebhookDelivery';
  /** Attempts since it was last queued (redelivery restarts the count). */
  attemptCount: Scalars['Int']['output'];
  /** Every attempt, newest first (at most `last`). */
  attempts: Array<WebhookAttempt>;
  /** When the event was queued for this endpoint. */
  createdAt: Scalars['DateTime']['output'];
  /** When the receiver accepted it. */
  deliveredAt?: Maybe<Scalars['DateTime']['output']>;
  /** The endpoint it goes to. */
  endpoint?: Maybe<WebhookEndpoint>;
  /** The event; null when you can no longer see it. */
  event?: Maybe<WorkerEvent>;
  /** The event's global id; sent as the X-Portal-Event-Id header and as `id` in the body, the same on every attempt (deduplicate on it). */
  eventId: Scalars['ID']['output'];
  /** Global, opaque id; sent as the X-Portal-Delivery-Id header. */
  id: Scalars['ID']['output'];
  /** What went wrong on the last attempt, in short. */
  lastError?: Maybe<Scalars['String']['output']>;
  /** Duration of the last attempt, in milliseconds. */
  lastLatencyMs?: Maybe<Scalars['Int']['output']>;
  /** HTTP status of the last attempt. */
  lastStatusCode?: Maybe<Scalars['Int']['output']>;
  /** When the next attempt is due; null once it succeeded or was given up, while it waits behind an earlier event of the same worker, and while its endpoint is switched off. */
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** Where it stands. */
  status: WebhookDeliveryStatus;
  /** The worker's global id. */
  workerId: Scalars['ID']['output'];
};


/** One event sent (or to be sent) to one endpoint. */
export type WebhookDeliveryAttemptsArgs = {
  last?: Scalars['Int']['input'];
};

/** A page of webhook deliveries, newest first. */
export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  /** The rows of this page. */
  edges: Array<WebhookDeliveryEdge>;
  /** Where this page sits. */
  pageInfo: PageInfo;
};

/** One row of a page and the cursor to resume after it. */
export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  /** Pass as `after` (or `before`) to resume here. */
  cursor: Scalars['String']['output'];
  /** The row. */
  node: WebhookDelivery;
};

/** Where a webhook delivery stands. */
export type WebhookDeliveryStatus =
  /** Given up (a 4xx other than 408/429, or every attempt failed): the dead-letter queue. redeliverWebhook sends it again. */
  | 'FAILED'
  /** Waiting for its first attempt, or queued again by redeliverWebhook. */
  | 'PENDING'
  /** Failed at least once; another attempt is scheduled (nextAttemptAt). */
  | 'RETRYING'
  /** The receiver answered with a 2xx status. */
  | 'SUCCEEDED';

/** A URL of your partner that receives your workers' events as signed HTTP POSTs. Its signing secret is shown only when it is created or rotated. */
export type WebhookEndpoint = Node & {
  __typename?: 'WebhookEndpoint';
  /** False when switched off, by you or automatically after a long run of failures (see disabledReason). Events keep being recorded; switching it on again delivers what was missed. */
  active: Scalars['Boolean']['output'];
  /** While set and in the future, the circuit breaker has paused deliveries to this endpoint after repeated failures; they resume after it. */
  circuitOpenUntil?: Maybe<Scalars['DateTime']['output']>;
  /** Failed attempts in a row since the last success. */
  consecutiveFailures: Scalars['Int']['output'];
  /** Creation time. */
  createdAt: Scalars['DateTime']['output'];
  /** Who registered it. */
  createdBy: Scalars['String']['output'];
  /** Your note about the endpoint. */
  description: Scalars['String']['output'];
  /** When it was switched off; null while active. */
  disabledAt?: Maybe<Scalars['DateTime']['output']>;
  /** Why it was switched off; null while active. */
  disabledReason?: Maybe<Scalars['String']['output']>;
  /** Event types sent; empty means every type. */
  eventTypes: Array<WorkerEventType>;
  /** Further conditions on the events sent; null: none. */
  filter?: Maybe<WebhookFilter>;
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** How many events this endpoint is behind the log: matching events not yet delivered (queued or not). */
  lag: Scalars['Int']['output'];
  /** When a delivery last succeeded. */
  lastDeliveryAt?: Maybe<Scalars['DateTime']['output']>;
  /** Until when deliveries also carry a signature by the secret replaced by the last rotation; null when there is none. */
  previousSecretValidUntil?: Maybe<Scalars['DateTime']['output']>;
  /** Where deliveries are POSTed. */
  url: Scalars['String']['output'];
};

/** A new webhook endpoint. */
export type WebhookEndpointInput = {
  /** A note for your team, at most 500 characters. */
  description?: Scalars['String']['input'];
  /** Event types to send; null or empty: every type. */
  eventTypes?: InputMaybe<Array<WorkerEventType>>;
  /** Further conditions; null: none. */
  filter?: InputMaybe<WebhookFilterInput>;
  /** http:// or https:// URL that receives the POSTs. It must resolve to a public address (loopback, private, link-local and metadata addresses are refused unless the deployment allows them). */
  url: Scalars['String']['input'];
};

/** Only the events that match every condition are sent. */
export type WebhookFilter = {
  __typename?: 'WebhookFilter';
  /** Only this worker's events. */
  workerId?: Maybe<Scalars['ID']['output']>;
};

/** Only the events that match every condition given are sent. */
export type WebhookFilterInput = {
  /** Only this worker's events (a Worker id). */
  workerId?: InputMaybe<Scalars['ID']['input']>;
};

/** An Indonesian migrant worker (PMI) registered by a partner. */
export type Worker = Node & {
  __typename?: 'Worker';
  /** Date of birth. */
  birthDate: Scalars['Date']['output'];
  /** Place of birth. */
  birthPlace?: Maybe<Scalars['String']['output']>;
  /** Contract end date. */
  contractEnd?: Maybe<Scalars['Date']['output']>;
  /** Contract start date. */
  contractStart?: Maybe<Scalars['Date']['output']>;
  /** Contributions, oldest first. */
  contributions: ContributionConnection;
  /** Cover windows bought by contributions, oldest first. */
  coverages: Array<Coverage>;
  /** End of the current cover window; null when none. */
  coveredUntil?: Maybe<Scalars['Date']['output']>;
  /** Day of departure. */
  departedOn?: Maybe<Scalars['Date']['output']>;
  /** Destination country (ISO 3166-1 alpha-2). */
  destinationCountry: Scalars['String']['output'];
  /** Destination region (Malaysia: Peninsular, Sabah, Sarawak). */
  destinationRegion?: Maybe<Scalars['String']['output']>;
  /** Employer's name. */
  employerName?: Maybe<Scalars['String']['output']>;
  /** Kind of employer. */
  employerType?: Maybe<EmployerType>;
  /** The worker's event history, oldest first (commit order). */
  events: WorkerEventConnection;
  /** Identifiers in other systems. */
  externalIds: ExternalIds;
  /** Family card (KK) number; masked for roles without identifier access. */
  familyCardNumber?: Maybe<Scalars['String']['output']>;
  /** Full name as on the passport. */
  fullName: Scalars['String']['output'];
  /** Gender. */
  gender: Gender;
  /** Heirs in the order of entitlement. */
  heirs: Array<Heir>;
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** Job sector. */
  jobSector: JobSector;
  /** The most recently recorded contribution; null before the first payment. */
  latestContribution?: Maybe<Contribution>;
  /** National identity number (16 digits); masked (e.g. `3174••••••••0003`) for roles without identifier access. */
  nik: Scalars['String']['output'];
  /** The owning partner. */
  partner: Partner;
  /** Passport number; masked for roles without identifier access. */
  passportNumber?: Maybe<Scalars['String']['output']>;
  /** Phase derived from the placement status. */
  phase: Phase;
  /** Phone number in E.164 form. */
  phone?: Maybe<Scalars['String']['output']>;
  /** Who arranged the placement. */
  placementScheme: PlacementScheme;
  /** Placement status. */
  placementStatus: PlacementStatus;
  /** When the worker was registered (UTC). */
  registeredAt: Scalars['DateTime']['output'];
  /** Day of return. */
  returnedOn?: Maybe<Scalars['Date']['output']>;
  /** Membership status. */
  status: MembershipStatus;
  /** When the record last changed (UTC). */
  updatedAt: Scalars['DateTime']['output'];
  /** Optimistic concurrency token: send it back when you update. */
  version: Scalars['Int']['output'];
};


/** An Indonesian migrant worker (PMI) registered by a partner. */
export type WorkerContributionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** An Indonesian migrant worker (PMI) registered by a partner. */
export type WorkerEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of workers. */
export type WorkerConnection = {
  __typename?: 'WorkerConnection';
  /** The rows of this page. */
  edges: Array<WorkerEdge>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many workers match the filter in all (computed only when asked). */
  totalCount: Scalars['Int']['output'];
};

/** One row of a page and the cursor to resume after it. */
export type WorkerEdge = {
  __typename?: 'WorkerEdge';
  /** Pass as `after` (or `before`) to resume here. */
  cursor: Scalars['String']['output'];
  /** The row. */
  node: Worker;
};

/** One change to a worker, from the durable event log. */
export type WorkerEvent = Node & {
  __typename?: 'WorkerEvent';
  /** Who did it: account email or API key name. */
  actor: Scalars['String']['output'];
  /** Field -> {from, to}. Identifiers appear masked, never in full. */
  changes?: Maybe<Scalars['JSON']['output']>;
  /** Opaque position in the log, ordered in COMMIT order; pass it as `after` to resume with no gap and no duplicate. */
  cursor: Scalars['String']['output'];
  /** Global, opaque id. */
  id: Scalars['ID']['output'];
  /** When it happened (UTC). */
  occurredAt: Scalars['DateTime']['output'];
  /** The reason given, for status changes. */
  reason?: Maybe<Scalars['String']['output']>;
  /** What happened. */
  type: WorkerEventType;
  /** The worker; null when you can no longer see it (transferred out). */
  worker?: Maybe<Worker>;
  /** The worker's global id (the same as Worker.id). */
  workerId: Scalars['ID']['output'];
};

/** A page of worker events, in commit order. */
export type WorkerEventConnection = {
  __typename?: 'WorkerEventConnection';
  /** The rows of this page. */
  edges: Array<WorkerEventEdge>;
  /** Where this page sits. */
  pageInfo: PageInfo;
};

/** One row of a page and the cursor to resume after it. */
export type WorkerEventEdge = {
  __typename?: 'WorkerEventEdge';
  /** Pass as `after` (or `before`) to resume here. */
  cursor: Scalars['String']['output'];
  /** The row. */
  node: WorkerEvent;
};

/** What happened to a worker. */
export type WorkerEventType =
  /** The contract was extended. */
  | 'CONTRACT_EXTENDED'
  /** A contribution was recorded. */
  | 'CONTRIBUTION_RECORDED'
  /** An operator corrected identity data. */
  | 'IDENTITY_CORRECTED'
  /** The membership status changed (incl. the expiry sweep). */
  | 'MEMBERSHIP_STATUS_CHANGED'
  /** The placement status changed. */
  | 'PLACEMENT_STATUS_CHANGED'
  /** The worker was registered. */
  | 'REGISTERED'
  /** The worker was transferred to this partner. */
  | 'TRANSFERRED_IN'
  /** The worker was transferred away from this partner. */
  | 'TRANSFERRED_OUT'
  /** Record fields (or heirs) changed. */
  | 'UPDATED';

/** Narrow a list of workers; every given condition must hold. */
export type WorkerFilter = {
  /** Cover ends before this day, or there is no cover: who is about to lapse. */
  coveredUntilBefore?: InputMaybe<Scalars['Date']['input']>;
  /** Only this destination (ISO 3166-1 alpha-2). */
  destinationCountry?: InputMaybe<Scalars['String']['input']>;
  /** Only this destination region (e.g. Sabah). */
  destinationRegion?: InputMaybe<Scalars['String']['input']>;
  /** Only this sector. */
  jobSector?: InputMaybe<JobSector>;
  /** Only this phase. */
  phase?: InputMaybe<Phase>;
  /** Only this placement status. */
  placementStatus?: InputMaybe<PlacementStatus>;
  /** Registered on or after this day (Asia/Jakarta). */
  registeredFrom?: InputMaybe<Scalars['Date']['input']>;
  /** Registered on or before this day (Asia/Jakarta). */
  registeredTo?: InputMaybe<Scalars['Date']['input']>;
  /** Part of the name, or an exact NIK or passport number. */
  search?: InputMaybe<Scalars['String']['input']>;
  /** Only this membership status. */
  status?: InputMaybe<MembershipStatus>;
};

/** Sort order of a worker list; ties are broken by id. */
export type WorkerOrder = {
  /** Direction. */
  direction?: OrderDirection;
  /** Sort key. */
  field?: WorkerOrderField;
};

/** What to sort workers by. */
export type WorkerOrderField =
  /** End of cover; workers without cover come last. */
  | 'COVERED_UNTIL'
  /** Full name. */
  | 'FULL_NAME'
  /** Time of registration. */
  | 'REGISTERED_AT'
  /** Time of the last change. */
  | 'UPDATED_AT';

/** Dashboard counts over the workers you can see. */
export type WorkerStats = {
  __typename?: 'WorkerStats';
  /** Counts by destination country. */
  byDestinationCountry: Array<CountBy>;
  /** Counts by job sector. */
  byJobSector: Array<CountBy>;
  /** Counts by phase (BEFORE, DURING, AFTER). */
  byPhase: Array<CountBy>;
  /** Counts by placement status. */
  byPlacementStatus: Array<CountBy>;
  /** Counts by membership status. */
  byStatus: Array<CountBy>;
  /** Number of workers. */
  total: Scalars['Int']['output'];
};

/** A placement or membership status change of one worker. */
export type WorkerStatusChange = {
  __typename?: 'WorkerStatusChange';
  /** Pass as `after` to Query.events or workerEvents to resume. */
  cursor: Scalars['String']['output'];
  /** Membership status change; null when it did not change. */
  membershipStatus?: Maybe<StatusChange>;
  /** When it happened (UTC). */
  occurredAt: Scalars['DateTime']['output'];
  /** Placement status change; null when it did not change. */
  placementStatus?: Maybe<StatusChange>;
  /** The reason given. */
  reason?: Maybe<Scalars['String']['output']>;
  /** The worker; null when you can no longer see it. */
  worker?: Maybe<Worker>;
  /** The worker's global id. */
  workerId: Scalars['ID']['output'];
};

export type ApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiKeysQuery = { __typename?: 'Query', apiKeys: Array<{ __typename?: 'ApiKey', id: string, name: string, prefix: string, role: Role, scopes: Array<Scope>, createdAt: string, createdBy: string, expiresAt?: string | null, revokedAt?: string | null, lastUsedAt?: string | null, trustedDocumentsOnly: boolean, previousSecretValidUntil?: string | null }> };

export type AuditLogQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditFilter>;
}>;


export type AuditLogQuery = { __typename?: 'Query', auditLog: { __typename?: 'AuditEntryConnection', edges: Array<{ __typename?: 'AuditEntryEdge', cursor: string, node: { __typename?: 'AuditEntry', id: string, occurredAt: string, actor: string, actorKind: string, operation: string, targetType?: string | null, targetIds: Array<string>, outcome: string, requestId?: string | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type ChangeWorkerStatusMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  version: Scalars['Int']['input'];
  placementStatus?: InputMaybe<PlacementStatus>;
  status?: InputMaybe<MembershipStatus>;
  reason: Scalars['String']['input'];
}>;


export type ChangeWorkerStatusMutation = { __typename?: 'Mutation', changeWorkerStatus: { __typename: 'ChangeWorkerStatusSuccess', worker: { __typename?: 'Worker', id: string, version: number, placementStatus: PlacementStatus, phase: Phase, status: MembershipStatus, departedOn?: string | null, returnedOn?: string | null }, event: { __typename?: 'WorkerEvent', id: string, type: WorkerEventType, cursor: string, changes?: unknown | null } } | { __typename: 'InvalidTransitionError', from: string, to: string, allowed: Array<string>, message: string } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'StaleVersionError', currentVersion: number, message: string } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type CreateApiKeyMutationVariables = Exact<{
  name: Scalars['String']['input'];
  role: Role;
  scopes: Array<Scope> | Scope;
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  trustedDocumentsOnly?: InputMaybe<Scalars['Boolean']['input']>;
}>;


export type CreateApiKeyMutation = { __typename?: 'Mutation', createApiKey: { __typename: 'CreateApiKeySuccess', secret: string, apiKey: { __typename?: 'ApiKey', id: string, name: string, prefix: string, role: Role, scopes: Array<Scope> } } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type CreateWebhookEndpointMutationVariables = Exact<{
  input: WebhookEndpointInput;
}>;


export type CreateWebhookEndpointMutation = { __typename?: 'Mutation', createWebhookEndpoint: { __typename: 'CreateWebhookEndpointSuccess', secret: string, endpoint: { __typename?: 'WebhookEndpoint', id: string, url: string, eventTypes: Array<WorkerEventType>, active: boolean } } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type DashboardQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardQuery = { __typename?: 'Query', viewer: { __typename?: 'Viewer', role: Role, partner: { __typename?: 'Partner', name: string, code: string } }, workerStats: { __typename?: 'WorkerStats', total: number, byPhase: Array<{ __typename?: 'CountBy', key: string, count: number }>, byStatus: Array<{ __typename?: 'CountBy', key: string, count: number }> }, workers: { __typename?: 'WorkerConnection', totalCount: number, edges: Array<{ __typename?: 'WorkerEdge', cursor: string, node: { __typename?: 'Worker', id: string, fullName: string, nik: string, destinationCountry: string, phase: Phase, status: MembershipStatus, coveredUntil?: string | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type EventsCatchUpQueryVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  types?: InputMaybe<Array<WorkerEventType> | WorkerEventType>;
}>;


export type EventsCatchUpQuery = { __typename?: 'Query', events: { __typename?: 'WorkerEventConnection', edges: Array<{ __typename?: 'WorkerEventEdge', cursor: string, node: { __typename?: 'WorkerEvent', id: string, type: WorkerEventType, workerId: string, occurredAt: string, actor: string, reason?: string | null, changes?: unknown | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type ExpiringCoverageQueryVariables = Exact<{
  withinDays: Scalars['Int']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ExpiringCoverageQuery = { __typename?: 'Query', expiringCoverage: { __typename?: 'WorkerConnection', totalCount: number, edges: Array<{ __typename?: 'WorkerEdge', cursor: string, node: { __typename?: 'Worker', id: string, fullName: string, phone?: string | null, destinationCountry: string, status: MembershipStatus, coveredUntil?: string | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type ExtendContractMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  version: Scalars['Int']['input'];
  months: Scalars['Int']['input'];
  amount: Scalars['Int']['input'];
  paidOn: Scalars['Date']['input'];
  reason: Scalars['String']['input'];
}>;


export type ExtendContractMutation = { __typename?: 'Mutation', extendContract: { __typename: 'ExtendContractSuccess', worker: { __typename?: 'Worker', id: string, version: number, contractEnd?: string | null, coveredUntil?: string | null, status: MembershipStatus }, contribution: { __typename?: 'Contribution', id: string, amount: number, months: number, coversUntil: string }, event: { __typename?: 'WorkerEvent', id: string, type: WorkerEventType, changes?: unknown | null } } | { __typename: 'InvalidTransitionError', from: string, to: string, allowed: Array<string>, message: string } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'StaleVersionError', currentVersion: number, message: string } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type ImportWorkersMutationVariables = Exact<{
  rows: Array<RegisterWorkerInput> | RegisterWorkerInput;
  mode: ImportMode;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
}>;


export type ImportWorkersMutation = { __typename?: 'Mutation', importWorkers: { __typename: 'IdempotencyConflictError', message: string } | { __typename: 'ImportWorkersSuccess', created: number, failed: number, written: boolean, rows: Array<{ __typename?: 'ImportRowResult', rowNumber: number, worker?: { __typename?: 'Worker', id: string } | null, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> }> } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'ValidationError', field: string, rule: string, message: string } };

export type RecordContributionMutationVariables = Exact<{
  input: RecordContributionInput;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
}>;


export type RecordContributionMutation = { __typename?: 'Mutation', recordContribution: { __typename: 'IdempotencyConflictError', message: string } | { __typename: 'InvalidTransitionError', from: string, to: string, allowed: Array<string>, message: string } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'RecordContributionSuccess', worker: { __typename?: 'Worker', id: string, version: number, status: MembershipStatus, coveredUntil?: string | null }, contribution: { __typename?: 'Contribution', id: string, kind: ContributionKind, amount: number, months: number, coversFrom: string, coversUntil: string }, event: { __typename?: 'WorkerEvent', id: string, type: WorkerEventType } } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type RedeliverWebhookMutationVariables = Exact<{
  deliveryId: Scalars['ID']['input'];
}>;


export type RedeliverWebhookMutation = { __typename?: 'Mutation', redeliverWebhook: { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'RedeliverWebhookSuccess', delivery: { __typename?: 'WebhookDelivery', id: string, status: WebhookDeliveryStatus, nextAttemptAt?: string | null } } };

export type RegisterWorkerMutationVariables = Exact<{
  input: RegisterWorkerInput;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
}>;


export type RegisterWorkerMutation = { __typename?: 'Mutation', registerWorker: { __typename: 'DuplicateNikError', message: string } | { __typename: 'IdempotencyConflictError', message: string } | { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'RegisterWorkerSuccess', worker: { __typename?: 'Worker', id: string, version: number, placementStatus: PlacementStatus, phase: Phase, status: MembershipStatus } } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type RevokeApiKeyMutation = { __typename?: 'Mutation', revokeApiKey: { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'RevokeApiKeySuccess', apiKey: { __typename?: 'ApiKey', id: string, revokedAt?: string | null } } };

export type RotateApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  overlapSeconds?: Scalars['Int']['input'];
}>;


export type RotateApiKeyMutation = { __typename?: 'Mutation', rotateApiKey: { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'RotateApiKeySuccess', secret: string, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, previousSecretValidUntil?: string | null } } | { __typename: 'ValidationError', field: string, rule: string, message: string } };

export type SearchWorkersQueryVariables = Exact<{
  text: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type SearchWorkersQuery = { __typename?: 'Query', workers: { __typename?: 'WorkerConnection', edges: Array<{ __typename?: 'WorkerEdge', cursor: string, node: { __typename?: 'Worker', id: string, fullName: string, nik: string, passportNumber?: string | null, placementStatus: PlacementStatus, status: MembershipStatus } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type UpdateWorkerMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  version: Scalars['Int']['input'];
  input: UpdateWorkerInput;
}>;


export type UpdateWorkerMutation = { __typename?: 'Mutation', updateWorker: { __typename: 'NotAllowedError', message: string, needed: string } | { __typename: 'NotFoundError', id: string, message: string } | { __typename: 'StaleVersionError', currentVersion: number, message: string } | { __typename: 'UpdateWorkerSuccess', worker: { __typename?: 'Worker', id: string, version: number, updatedAt: string }, event: { __typename?: 'WorkerEvent', id: string, type: WorkerEventType, changes?: unknown | null } } | { __typename: 'ValidationError', field: string, rule: string, message: string, errors: Array<{ __typename?: 'FieldError', field: string, rule: string, message: string }> } };

export type WebhookDeliveriesQueryVariables = Exact<{
  endpointId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<WebhookDeliveryStatus>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type WebhookDeliveriesQuery = { __typename?: 'Query', webhookDeliveries: { __typename?: 'WebhookDeliveryConnection', edges: Array<{ __typename?: 'WebhookDeliveryEdge', cursor: string, node: { __typename?: 'WebhookDelivery', id: string, eventId: string, workerId: string, status: WebhookDeliveryStatus, attemptCount: number, nextAttemptAt?: string | null, lastStatusCode?: number | null, lastLatencyMs?: number | null, lastError?: string | null, deliveredAt?: string | null, createdAt: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type WebhookEndpointsQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookEndpointsQuery = { __typename?: 'Query', webhookEndpoints: Array<{ __typename?: 'WebhookEndpoint', id: string, url: string, description: string, eventTypes: Array<WorkerEventType>, active: boolean, disabledAt?: string | null, disabledReason?: string | null, consecutiveFailures: number, circuitOpenUntil?: string | null, lastDeliveryAt?: string | null, lag: number, previousSecretValidUntil?: string | null, createdAt: string }> };

export type WorkerDetailQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  contributionsAfter?: InputMaybe<Scalars['String']['input']>;
  eventsAfter?: InputMaybe<Scalars['String']['input']>;
}>;


export type WorkerDetailQuery = { __typename?: 'Query', worker?: { __typename?: 'Worker', id: string, nik: string, fullName: string, birthDate: string, birthPlace?: string | null, gender: Gender, passportNumber?: string | null, familyCardNumber?: string | null, phone?: string | null, destinationCountry: string, destinationRegion?: string | null, employerName?: string | null, employerType?: EmployerType | null, jobSector: JobSector, placementScheme: PlacementScheme, placementStatus: PlacementStatus, phase: Phase, status: MembershipStatus, contractStart?: string | null, contractEnd?: string | null, departedOn?: string | null, returnedOn?: string | null, coveredUntil?: string | null, version: number, registeredAt: string, updatedAt: string, partner: { __typename?: 'Partner', id: string, code: string, name: string }, heirs: Array<{ __typename?: 'Heir', fullName: string, relation: HeirRelation, phone?: string | null }>, externalIds: { __typename?: 'ExternalIds', siskop2miId?: string | null, kpjNumber?: string | null }, coverages: Array<{ __typename?: 'Coverage', program: Program, startsOn: string, endsOn: string }>, contributions: { __typename?: 'ContributionConnection', edges: Array<{ __typename?: 'ContributionEdge', cursor: string, node: { __typename?: 'Contribution', id: string, kind: ContributionKind, amount: number, months: number, paidOn: string, coversFrom: string, coversUntil: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } }, events: { __typename?: 'WorkerEventConnection', edges: Array<{ __typename?: 'WorkerEventEdge', cursor: string, node: { __typename?: 'WorkerEvent', id: string, type: WorkerEventType, occurredAt: string, actor: string, reason?: string | null, changes?: unknown | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } } | null };

export type WorkerEventsSubscriptionVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
  types?: InputMaybe<Array<WorkerEventType> | WorkerEventType>;
  workerId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type WorkerEventsSubscription = { __typename?: 'Subscription', workerEvents: { __typename?: 'WorkerEvent', id: string, cursor: string, type: WorkerEventType, workerId: string, occurredAt: string, actor: string, reason?: string | null, changes?: unknown | null, worker?: { __typename?: 'Worker', id: string, fullName: string, placementStatus: PlacementStatus, status: MembershipStatus } | null } };

export type WorkerStatusChangedSubscriptionVariables = Exact<{
  workerId?: InputMaybe<Scalars['ID']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type WorkerStatusChangedSubscription = { __typename?: 'Subscription', workerStatusChanged: { __typename?: 'WorkerStatusChange', cursor: string, workerId: string, occurredAt: string, reason?: string | null, placementStatus?: { __typename?: 'StatusChange', from?: string | null, to: string } | null, membershipStatus?: { __typename?: 'StatusChange', from?: string | null, to: string } | null } };

export type WorkersListQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<WorkerFilter>;
}>;


export type WorkersListQuery = { __typename?: 'Query', workers: { __typename?: 'WorkerConnection', totalCount: number, edges: Array<{ __typename?: 'WorkerEdge', cursor: string, node: { __typename?: 'Worker', id: string, fullName: string, nik: string, destinationCountry: string, jobSector: JobSector, placementStatus: PlacementStatus, phase: Phase, status: MembershipStatus, coveredUntil?: string | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };
