-- Shared by the headless Neovim scripts: open $APIMIG_FILE attached to apimig-lsp, run a step, write
-- what it returns (or its error) to $APIMIG_RESULT, quit.
local H = {}

--- Edit $APIMIG_FILE and attach the apimig client (targets numpy 2.0); returns bufnr, client id.
function H.open()
  local apimig = dofile(os.getenv("APIMIG_LUA"))
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("APIMIG_FILE")))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = apimig.attach(bufnr, {
    cmd = { os.getenv("APIMIG_PYTHON"), "-m", "apimig.server" },
    settings = { targets = { numpy = "2.0" } },
  })
  return bufnr, client_id
end

function H.wait_for_diagnostics(bufnr, what)
  if not vim.wait(300000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
    error("no diagnostics from apimig-lsp " .. what)
  end
  return vim.diagnostic.get(bufnr)[1]
end

function H.code(diag)
  return tostring(diag.user_data and diag.user_data.lsp and diag.user_data.lsp.code or diag.code)
end

--- Run `step` (returns the result line), report "ok ..." or "error ...", then quit.
function H.run(step)
  local ok, msg = pcall(step)
  local f = io.open(os.getenv("APIMIG_RESULT"), "w")
  f:write(ok and ("ok " .. msg) or ("error " .. tostring(msg)))
  f:close()
  vim.cmd("qall!")
end

return H
