import { defineErrors } from '@vigie/common';

/** Errors of the box core (the modem adapter has its own `BOX_MODEM_*` catalogue). */
export const boxErrors = defineErrors({
  BOX_STORE_SCHEMA_NEWER: { message: 'The box database was written by a newer software version' },
  BOX_BUS_PAYLOAD_INVALID: { message: 'A message on the local bus does not match its schema' },
  BOX_BUS_REFUSED: { message: 'The local bus refused a client, a publish or a subscription (credentials or ACL)' },
  BOX_COMMAND_SIGNATURE_INVALID: { message: "A command from the cloud was refused: it does not carry the cloud's valid signature for this box" },
  BOX_CLOUD_UNREACHABLE: { message: 'The cloud could not be reached' },
  BOX_UPDATE_KEYRING_MISSING: { message: 'The release keyring cannot be read: the update agent installs nothing' },
  BOX_UPDATE_CYCLE_FAILED: { message: 'An update cycle failed (service unreachable, download or install error); the next cycle tries again' },
  BOX_CLOUD_REJECTED: { message: 'The cloud refused a message from the box' },
  BOX_CLOUD_RECEIPT_MISMATCH: { message: 'The cloud answered a telemetry batch with a receipt for another box or sequence; the batch stays to be resent' },
  BOX_CLOUD_PLAINTEXT_REFUSED: {
    message: 'The cloud URL is plain http:// to a host that is not this machine; health data only leaves the box over TLS (use https://)',
  },
  BOX_SIGNING_KEY_INVALID: { message: 'The box Kafka signing key file is not a private ed25519 key, or is readable by other users' },
  BOX_KAFKA_PLAINTEXT_REFUSED: {
    message: 'KAFKA_SSL=false with a broker that is not this machine; health data only leaves the box over TLS',
  },
  BOX_CLOUD_UNAUTHORIZED: { message: 'The cloud does not accept this box credentials (re-provision the box)' },
  BOX_SMS_SEND_FAILED: { message: 'An SMS could not be handed to the modem for a reason that carries no code of its own; it is retried' },
});
