// The chat demo in plain JavaScript with CommonJS require(), bundled by browserify, which takes
// hubwire's browser build through its package.json "browser" field (no Node modules, no shims).
// Built by `npm run build:examples` into dist/chat.js.
"use strict";

const signalR = require("hubwire");

const status = document.getElementById("status");
const form = document.getElementById("send-form");
const nameInput = document.getElementById("name");
const messageInput = document.getElementById("message");
const sendButton = document.getElementById("send");
const messages = document.getElementById("messages");

const connection = new signalR.HubConnectionBuilder()
  .withUrl("/chat")
  .withAutomaticReconnect()
  .configureLogging(signalR.LogLevel.Information)
  .build();

function showStatus(text) {
  status.textContent = text;
  sendButton.disabled = connection.state !== signalR.HubConnectionState.Connected;
}

// textContent, never innerHTML: messages come from other people.
connection.on("broadcastMessage", (name, message) => {
  const item = document.createElement("li");
  item.textContent = `${name}: ${message}`;
  messages.appendChild(item);
});
connection.onreconnecting(() => showStatus("Connection lost, reconnecting…"));
connection.onreconnected(() => showStatus("Connected"));
connection.onclose((error) => showStatus(`Disconnected${error ? `: ${error.message}` : ""}`));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = messageInput.value.trim();
  if (!message) return;
  try {
    await connection.invoke("Send", nameInput.value.trim() || "anonymous", message);
    messageInput.value = "";
    messageInput.focus();
  } catch (error) {
    showStatus(`Send failed: ${error.message}`);
  }
});

connection.start().then(
  () => showStatus("Connected"),
  (error) => showStatus(`Could not connect: ${error.message}`),
);
