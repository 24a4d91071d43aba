-- Headless Neovim, the user's flow: open a clean file, type a legacy call into the buffer, wait for
-- apimig's diagnostic, put the cursor on it and run the client's own code-action command
-- (vim.lsp.buf.code_action), choosing the preferred quick fix where a user would pick it, then write.
-- Neovim >= 0.8 takes {filter, apply}; 0.7 has neither, so there the choice is made in vim.ui.select,
-- the prompt the client opens. Reports to $APIMIG_RESULT.
local H = dofile(os.getenv("APIMIG_HARNESS"))
local function preferred(action)
  return action.isPreferred == true
end

H.run(function()
  local bufnr, client_id = H.open()
  if not vim.wait(300000, function() return vim.lsp.get_client_by_id(client_id).initialized end, 50) then
    error("apimig-lsp did not initialize")
  end
  -- type the call at the end of the file, as a user would
  vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(bufnr), 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(os.getenv("APIMIG_TYPED") .. "<Esc>", true, false, true), "xt", false)
  local diag = H.wait_for_diagnostics(bufnr, "after typing")
  vim.api.nvim_win_set_cursor(0, { diag.lnum + 1, diag.col })
  local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
  local chosen
  if vim.fn.has("nvim-0.8") == 1 then
    vim.lsp.buf.code_action({ context = { only = { "quickfix" } }, filter = function(a)
      if preferred(a) then chosen = a end
      return preferred(a)
    end, apply = true })
  else
    vim.ui.select = function(items, _, on_choice)
      for i, item in ipairs(items) do
        if preferred(item[2]) then
          chosen = item[2]
          return on_choice(item, i)
        end
      end
      error("no preferred quick fix among " .. vim.inspect(items))
    end
    vim.lsp.buf.code_action({ only = { "quickfix" } })
  end
  if not vim.wait(300000, function()
    return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") ~= before
  end, 50) then
    error("the code action did not change the buffer")
  end
  vim.cmd("write")
  return H.code(diag) .. " " .. chosen.title
end)
