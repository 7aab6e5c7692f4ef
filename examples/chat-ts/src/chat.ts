// The chat demo in strict TypeScript. It imports "hubwire" like any app would, and the code is
// the same as with "@microsoft/signalr": only the import differs.
// Built by `npm run build:examples`: tsc (out/chat.js), then browserify (dist/chat.js), which
// takes hubwire's browser build through its package.json "browser" field.
import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from "hubwire";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`#${id} is missing or is not a ${type.name}`);
  return found;
}

const status = element("status", HTMLParagraphElement);
const form = element("send-form", HTMLFormElement);
const nameInput = element("name", HTMLInputElement);
const messageInput = element("message", HTMLInputElement);
const sendButton = element("send", HTMLButtonElement);
const messages = element("messages", HTMLUListElement);

const connection: HubConnection = new HubConnectionBuilder()
  .withUrl("/chat")
  .withAutomaticReconnect()
  .configureLogging(LogLevel.Information)
  .build();

function showStatus(text: string): void {
  status.textContent = text;
  sendButton.disabled = connection.state !== HubConnectionState.Connected;
}

// textContent, never innerHTML: messages come from other people.
connection.on("broadcastMessage", (name: string, message: string) => {
  const item = document.createElement("li");
  item.textContent = `${name}: ${message}`;
  messages.appendChild(item);
});
connection.onreconnecting(() => showStatus("Connection lost, reconnecting…"));
connection.onreconnected(() => showStatus("Connected"));
connection.onclose((error?: Error) => showStatus(`Disconnected${error ? `: ${error.message}` : ""}`));

form.addEventListener("submit", async (event: SubmitEvent) => {
  event.preventDefault();
  const message = messageInput.value.trim();
  if (!message) return;
  try {
    await connection.invoke("Send", nameInput.value.trim() || "anonymous", message);
    messageInput.value = "";
    messageInput.focus();
  } catch (error) {
    showStatus(`Send failed: ${error instanceof Error ? error.message : String(error)}`);
  }
});

async function start(): Promise<void> {
  try {
    await connection.start();
    showStatus("Connected");
  } catch (error) {
    showStatus(`Could not connect: ${error instanceof Error ? error.message : String(error)}`);
  }
}

void start();
